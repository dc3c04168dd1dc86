"""Authentication backends: Django's and allauth's, with a cheaper read of the signed-in
person on every request.

Every signed-in request loads its user through the backend that signed them in
(``get_user``). Django builds and compiles ``User.objects.get(pk=…)`` for that each time,
about 600 Python calls, a tenth of a booking POST; here the statement is built once per
process (core/prepared.py) and the row becomes a ``User`` as the ORM makes one. Whether
the account may sign in (``is_active``) and the session's password hash are checked
exactly as before: the first by the backend, the second by ``django.contrib.auth``.

Signing in is unchanged. Sessions record which backend signed them in; ones made before
these classes (the plain Django and allauth paths) end on their next request, so people
sign in once more after the upgrade.
"""

from __future__ import annotations

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS

from peerportal.core.prepared import PreparedRows


@functools.cache
def _user_fields() -> tuple[str, ...]:
    return tuple(f.attname for f in get_user_model()._meta.concrete_fields)


_USER_BY_PK = PreparedRows(
    lambda pk: (
        get_user_model()._default_manager.filter(pk=pk).order_by().values_list(*_user_fields())
    ),
    pk=int,
)


def user_by_pk(pk: int):
    """The user with this key, as ``User.objects.get(pk=pk)`` loads them; None if none."""
    rows = _USER_BY_PK.rows(pk=pk)
    if not rows:
        return None
    return get_user_model().from_db(DEFAULT_DB_ALIAS, _user_fields(), rows[0])


class _PreparedGetUser:
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = user_by_pk(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_PreparedGetUser, DjangoModelBackend):
    """Django's ModelBackend (sign-in by email and password, permissions)."""


class AuthenticationBackend(_PreparedGetUser, AllauthBackend):
    """allauth's backend (what its login pages sign people in with)."""

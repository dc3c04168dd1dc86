"""What the portal holds about a person: exported on request, erased on account deletion.

Every model with a relation to the user model must be listed in ``USER_DATA`` with a
policy. ``tests/accounts/test_userdata.py`` enumerates the models, so a new model that
points at users fails the suite until someone decides how it is exported and erased.

Policies on erasure:
- ``delete``: rows are removed (credentials, tokens, preferences, private notes).
- ``keep``: rows stay for aggregate counts; the user row they point at is pseudonymised,
  so they no longer identify anyone. Free-text fields named in ``scrub`` are blanked.
Apps that must act on erasure (cancel future bookings, release shifts) register a handler
with ``register_erasure_handler`` in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class UserDataPolicy:
    on_erase: str  # "delete" or "keep"
    exclude: tuple[str, ...] = ()  # never exported (secrets, hashes)
    scrub: tuple[str, ...] = ()  # blanked on erasure when kept


USER_DATA: dict[str, UserDataPolicy] = {
    "accounts.user": UserDataPolicy("keep", exclude=("password",)),
    "accounts.feedtoken": UserDataPolicy("delete", exclude=("token",)),
    "account.emailaddress": UserDataPolicy("delete"),
    "mfa.authenticator": UserDataPolicy("delete", exclude=("data",)),
    "usersessions.usersession": UserDataPolicy("delete", exclude=("session_key",)),
    "core.auditevent": UserDataPolicy("keep"),
    "reminders.reminder": UserDataPolicy("keep"),
    "admin.logentry": UserDataPolicy("keep", scrub=("object_repr", "change_message")),
}

_erasure_handlers: list[Callable] = []


def register_erasure_handler(handler: Callable) -> None:
    """``handler(user)`` runs inside the erasure transaction, before pseudonymisation."""
    if handler not in _erasure_handlers:
        _erasure_handlers.append(handler)


def erasure_handlers() -> list[Callable]:
    return list(_erasure_handlers)


def user_relations() -> dict[str, list[str]]:
    """{model label: [field names relating to the user model]} for every installed model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    out: dict[str, list[str]] = {}
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.get_fields()
            if f.is_relation
            and not f.auto_created
            and f.related_model is user_model
            and (f.concrete or f.many_to_many)
        ]
        if model is user_model:
            names = ["pk"]
        if names:
            out[model._meta.label_lower] = names
    return out


def rows_for(model: type[models.Model], fields: list[str], user) -> models.QuerySet:
    condition = models.Q()
    for name in fields:
        condition |= models.Q(**{name: user.pk})
    return model._default_manager.filter(condition).distinct()

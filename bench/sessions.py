"""Signed-in cookies for load-test accounts, made directly (no login round trips).

Each session is left as a real login leaves it: allauth's session record ("last seen")
exists and the session says when it was recorded and when the login happened, so the
measured requests do not pay for recording a login that never happened.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string
from django.utils.module_loading import import_string


def cookies_for(users) -> list[dict]:
    from allauth.usersessions.models import UserSession
    from django.utils import timezone

    from peerportal.accounts.middleware import LOGIN_AT_KEY, SEEN_KEY

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    out, records = [], []
    now = int(time.time())
    for user in users:
        session = store_class()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LOGIN_AT_KEY] = now
        session[SEEN_KEY] = now
        session.create()
        records.append(
            UserSession(
                user=user,
                session_key=session.session_key,
                ip="127.0.0.1",
                user_agent="bench",
                last_seen_at=timezone.now(),
            )
        )
        out.append(
            {
                settings.SESSION_COOKIE_NAME: session.session_key,
                settings.CSRF_COOKIE_NAME: _get_new_csrf_string(),
            }
        )
    UserSession.objects.bulk_create(records, batch_size=1000)
    return out

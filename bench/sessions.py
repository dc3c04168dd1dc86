"""Signed-in cookies for load-test accounts, made directly (no login round trips)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string
from django.utils.module_loading import import_string


def cookies_for(users) -> list[dict]:
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    out = []
    for user in users:
        session = store_class()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append(
            {
                settings.SESSION_COOKIE_NAME: session.session_key,
                settings.CSRF_COOKIE_NAME: _get_new_csrf_string(),
            }
        )
    return out

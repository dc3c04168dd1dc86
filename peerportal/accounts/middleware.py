"""Per-user language, idle timeout for staff roles, and MFA enforcement."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

# Paths a user who still has to set up MFA may use: the setup itself, logging out,
# account basics, static files and the health check.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/jsi18n/")


class UserLanguageMiddleware:
    """Activate the signed-in person's preferred language (after LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


LOGIN_AT_KEY = "_login_at"
LAST_ACTIVITY_KEY = "_last_activity"


class SessionLifetimeMiddleware:
    """End sessions past their absolute lifetime, and staff sessions after idle time.

    Everyone: ``SESSION_ABSOLUTE_LIFETIME`` seconds after logging in, however active.
    Staff roles: also after ``STAFF_IDLE_TIMEOUT`` seconds without a request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            login_at = request.session.setdefault(LOGIN_AT_KEY, now)
            expired = now - int(login_at) > settings.SESSION_ABSOLUTE_LIFETIME
            if user.is_staff_role:
                last = request.session.get(LAST_ACTIVITY_KEY)
                expired = expired or (
                    last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT
                )
                request.session[LAST_ACTIVITY_KEY] = now
            if expired:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out to keep your account safe. Please log in again."),
                )
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
        return self.get_response(request)


class MFARequiredMiddleware:
    """Supervisors and coordinators must set up an authenticator before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role in settings.MFA_REQUIRED_ROLES
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _(
                        "Your role needs two-factor authentication. Please set up an authenticator app to continue."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

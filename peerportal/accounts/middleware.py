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
SEEN_KEY = "_usersession_seen"
# The activity stamp at which the session's user last had an authenticator (MFA roles).
MFA_CHECKED_KEY = "_mfa_checked_at"
# Activity is written to the session at most this often: the idle limit is counted in
# minutes, and writing on every request would cost a database write per page view.
ACTIVITY_WRITE_EVERY = 60
# How often "last seen" on the sessions page is refreshed (allauth's tracking, throttled).
SEEN_WRITE_EVERY = 5 * 60


class UserSessionsMiddleware:
    """allauth's session tracking, refreshed every few minutes instead of on every request.

    allauth's own middleware reads and rewrites the session row on each request (four
    queries per page view); the "last seen" it feeds is shown to the minute at best.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.usersessions import app_settings
        from allauth.usersessions.models import UserSession

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            app_settings.TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
        ):
            now = int(time.time())
            seen = session.get(SEEN_KEY)
            if seen is None or now - int(seen) >= SEEN_WRITE_EVERY:
                UserSession.objects.create_from_request(request)
                session[SEEN_KEY] = now
        return self.get_response(request)


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
                if last is None or now - int(last) >= ACTIVITY_WRITE_EVERY:
                    request.session[LAST_ACTIVITY_KEY] = now
            if expired:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out to keep your account safe. Please sign in again."),
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

            # Checked again whenever SessionLifetimeMiddleware refreshes the activity stamp
            # (every ACTIVITY_WRITE_EVERY seconds), so the answer rides on that write instead
            # of costing a query on every page. Removing one's own authenticator clears it at
            # once (signals.forget_mfa_check); other sessions are ended then anyway.
            stamp = request.session.get(LAST_ACTIVITY_KEY)
            if stamp is not None and request.session.get(MFA_CHECKED_KEY) == stamp:
                return self.get_response(request)
            if is_mfa_enabled(user):
                if stamp is not None:
                    request.session[MFA_CHECKED_KEY] = stamp
            else:
                messages.warning(
                    request,
                    _(
                        "Your role needs two-factor authentication. Please set up an authenticator app to continue."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

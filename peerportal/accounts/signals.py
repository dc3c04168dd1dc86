"""Session hygiene: changing a password or an authenticator ends the other sessions."""

from __future__ import annotations

import time

from allauth.account.signals import password_changed, password_reset, user_logged_in
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.dispatch import receiver

from .services import user_end_other_sessions


@receiver(password_changed)
@receiver(password_reset)
@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def end_other_sessions(sender, request=None, user=None, **kwargs) -> None:
    user = user or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    keep = (
        request.session.session_key if request is not None and hasattr(request, "session") else None
    )
    user_end_other_sessions(user=user, keep_session_key=keep)


@receiver(authenticator_removed)
@receiver(authenticator_reset)
def forget_mfa_check(sender, request=None, **kwargs) -> None:
    """The session no longer counts as having an authenticator: check again next page."""
    from .middleware import MFA_CHECKED_KEY

    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_CHECKED_KEY, None)


@receiver(user_logged_in)
def mark_session_seen_at_login(sender, request=None, user=None, **kwargs) -> None:
    """allauth records the new session (its "last seen") on this same signal; say so in
    the session, or the first page after it would record it all over again (about six
    statements). The absolute lifetime is counted from here too."""
    from .middleware import LOGIN_AT_KEY, SEEN_KEY

    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_KEY] = now
        request.session[SEEN_KEY] = now

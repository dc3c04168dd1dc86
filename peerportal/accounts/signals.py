"""Session hygiene: changing a password or an authenticator ends the other sessions."""

from __future__ import annotations

from allauth.account.signals import password_changed, password_reset
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

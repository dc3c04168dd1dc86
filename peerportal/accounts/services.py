"""State changes for accounts: roles, supervision, feed tokens, sessions."""

from __future__ import annotations

from django.db import transaction

from peerportal.core.audit import audit_record

from .models import STAFF_ROLES, FeedToken, Role, User


class AccountError(Exception):
    """A change to an account that the rules do not allow."""


def user_set_role(
    *, actor: User, user: User, role: str, supervisor: User | None = None, request=None
) -> User:
    """Change a person's role (and supervisor). Only coordinators may do it."""
    if not actor.is_coordinator:
        raise AccountError("Only coordinators can change roles.")
    if role not in Role.values:
        raise AccountError("Unknown role.")
    if supervisor is not None:
        if supervisor.pk == user.pk:
            raise AccountError("Nobody can supervise themselves.")
        if not supervisor.is_supervisor:
            raise AccountError("The supervisor must have the supervisor or coordinator role.")
    if role not in STAFF_ROLES:
        supervisor = None
    with transaction.atomic():
        before = user.role
        user.role = role
        user.supervisor = supervisor
        # Coordinators run the portal and may use the admin site (through MFA login).
        user.is_staff = role == Role.COORDINATOR or user.is_superuser
        user.save(update_fields=["role", "supervisor", "is_staff"])
        audit_record(
            actor=actor,
            action="user.role_change",
            obj=user,
            request=request,
            extra={
                "from": before,
                "to": role,
                "supervisor_id": supervisor.pk if supervisor else None,
            },
        )
    return user


def feed_token_for(*, user: User) -> FeedToken:
    token, _ = FeedToken.objects.get_or_create(user=user)
    return token


def feed_token_rotate(*, user: User) -> FeedToken:
    """Revoke the current calendar feed URL and issue a new one."""
    with transaction.atomic():
        FeedToken.objects.filter(user=user).delete()
        token = FeedToken.objects.create(user=user)
        audit_record(actor=user, action="feed_token.rotate", obj=user)
    return token


def user_for_feed_token(token: str) -> User | None:
    if not token:
        return None
    row = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return row.user if row else None


def user_end_other_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` but the one with ``keep_session_key``."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(
        session_key=keep_session_key or ""
    ):
        session.end()
        ended += 1
    return ended


def email_verification_resend(*, request, email: str) -> bool:
    """Send a new confirmation link to ``email`` if an active account is waiting on it.

    Says nothing to the caller about whether the address exists (the view shows the same
    message either way). allauth's own cooldown (``confirm_email`` rate limit) applies, so
    repeating the request does not flood the inbox. Returns whether an email went out.
    """
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.select_related("user")
        .filter(email__iexact=email.strip(), verified=False, user__is_active=True)
        .first()
    )
    if address is None:
        return False
    return bool(send_verification_email_to_address(request, address))

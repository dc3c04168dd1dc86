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


def user_create_invited(
    *,
    actor: User,
    email: str,
    display_name: str,
    role: str,
    preferred_language: str = "en",
    time_zone: str = "",
    request=None,
) -> User:
    """A person added by a coordinator (an import): no usable password until they set one.

    Their address is recorded unverified; following an invitation (a password-set link sent
    to it) is how they get in. Nothing is emailed here.
    """
    from allauth.account.models import EmailAddress

    if not actor.is_coordinator:
        raise AccountError("Only coordinators can add people.")
    if role not in Role.values:
        raise AccountError("Unknown role.")
    user = User(
        email=User.objects.normalize_email(email),
        display_name=display_name,
        role=role,
        preferred_language=preferred_language,
        time_zone=time_zone,
        is_staff=role == Role.COORDINATOR,
    )
    user.set_unusable_password()
    with transaction.atomic():
        user.full_clean(exclude=["password", "supervisor"], validate_unique=False)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        audit_record(actor=actor, action="user.create_invited", obj=user, request=request)
    return user

"""State changes for accounts: roles, supervision, feed tokens, sessions."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from peerportal.core.audit import audit_record
from peerportal.core.prepared import PreparedRows

from .models import STAFF_ROLES, FeedToken, Role, User


class AccountError(Exception):
    """A change to an account that the rules do not allow."""


class LastCoordinator(AccountError):
    """The change would leave the portal without an active coordinator."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "This is the last active coordinator. Make someone else a coordinator first, "
                "so that somebody can still manage the portal."
            )
        )


def active_coordinators_locked() -> list[int]:
    """Ids of the active coordinators, their rows locked until the transaction ends.

    Every change that can remove a coordinator (a role change, an erasure, a deactivation)
    takes these locks first, in id order, so two coordinators demoting each other at the
    same moment are serialised: the second sees the first's change and is refused.
    Call inside ``transaction.atomic()``.
    """
    return list(
        User.objects.select_for_update()
        .filter(role=Role.COORDINATOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def keeps_a_coordinator(*, user: User, role: str | None = None, is_active: bool = True) -> bool:
    """Whether ``user`` taking ``role``/``is_active`` leaves at least one active coordinator.

    Reads without locks: for forms (a clear message early). Services use
    :func:`ensure_keeps_a_coordinator` under the lock.
    """
    coordinators = User.objects.filter(role=Role.COORDINATOR, is_active=True)
    if not coordinators.filter(pk=user.pk).exists():
        return True
    stays = is_active and (role or user.role) == Role.COORDINATOR
    return stays or coordinators.exclude(pk=user.pk).exists()


def ensure_keeps_a_coordinator(
    *,
    user: User,
    role: str | None = None,
    is_active: bool = True,
    coordinators: list[int] | None = None,
) -> None:
    """Raise :class:`LastCoordinator` if the change would leave no active coordinator.

    Locks the coordinators' rows (unless given ``coordinators`` already locked); call inside
    ``transaction.atomic()``.
    """
    if coordinators is None:
        coordinators = active_coordinators_locked()
    if user.pk not in coordinators:
        return
    stays = is_active and role == Role.COORDINATOR
    if not stays and len(coordinators) <= 1:
        raise LastCoordinator


def user_set_role(
    *, actor: User, user: User, role: str, supervisor: User | None = None, request=None
) -> User:
    """Change a person's role (and supervisor). Only coordinators may do it, and the last
    active coordinator keeps the role (otherwise nobody could manage the portal)."""
    if not actor.is_coordinator:
        raise AccountError(_("Only coordinators can change roles."))
    if role not in Role.values:
        raise AccountError(_("Unknown role."))
    if supervisor is not None:
        if supervisor.pk == user.pk:
            raise AccountError(_("Nobody can supervise themselves."))
        if not supervisor.is_supervisor:
            raise AccountError(_("The supervisor must have the supervisor or coordinator role."))
    if role not in STAFF_ROLES:
        supervisor = None
    with transaction.atomic():
        coordinators = active_coordinators_locked()
        if actor.pk not in coordinators:  # demoted by someone else a moment ago
            raise AccountError(_("Only coordinators can change roles."))
        ensure_keeps_a_coordinator(
            user=user, role=role, is_active=user.is_active, coordinators=coordinators
        )
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
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


def user_set_active(*, actor: User, user: User, is_active: bool, request=None) -> User:
    """Deactivate (or reactivate) an account; the last active coordinator stays active."""
    if not actor.is_coordinator:
        raise AccountError(_("Only coordinators can deactivate accounts."))
    with transaction.atomic():
        if not is_active:
            ensure_keeps_a_coordinator(user=user, role=user.role, is_active=False)
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.activate" if is_active else "user.deactivate",
            obj=user,
            request=request,
        )
    return user


def feed_token_for(*, user: User) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(user=user)
    return token


# The token's read, built by the ORM once per process: My bookings and My shifts show the
# feed address on every visit, and get_or_create's query cost ≈ 800 Python calls to build.
_FEED_TOKEN = PreparedRows(
    lambda user_id: FeedToken.objects.filter(user_id=user_id).values_list("token"), user_id=int
)


def feed_token_value(*, user: User) -> str:
    """The secret of ``user``'s feed addresses (made on first need, as ``feed_token_for``)."""
    rows = _FEED_TOKEN.rows(user_id=user.pk)
    return rows[0][0] if rows else feed_token_for(user=user).token


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


INVITED_BATCH = 500


def users_create_invited(*, actor: User, people: list[dict], request=None) -> list[User]:
    """People added by a coordinator (an import): no usable password until they set one.

    Each dict has ``email``, ``display_name``, ``role`` and optionally
    ``preferred_language`` and ``time_zone``. Their addresses are recorded unverified;
    following an invitation (a password-set link sent to the address) is how they get in.
    Nothing is emailed here. Written in batches (an import may bring 10,000 people), each
    person checked by the model's field validation and audited by id.
    """
    from allauth.account.models import EmailAddress

    from peerportal.core.models import AuditEvent

    if not actor.is_coordinator:
        raise AccountError("Only coordinators can add people.")
    users = []
    for fields in people:
        if fields["role"] not in Role.values:
            raise AccountError("Unknown role.")
        user = User(
            email=User.objects.normalize_email(fields["email"]),
            display_name=fields["display_name"],
            role=fields["role"],
            preferred_language=fields.get("preferred_language") or "en",
            time_zone=fields.get("time_zone") or "",
            is_staff=fields["role"] == Role.COORDINATOR,
        )
        user.set_unusable_password()
        # Uniqueness is the caller's check and the database's constraint.
        user.full_clean(
            exclude=["password", "supervisor"], validate_unique=False, validate_constraints=False
        )
        users.append(user)
    with transaction.atomic():
        for start in range(0, len(users), INVITED_BATCH):
            batch = User.objects.bulk_create(users[start : start + INVITED_BATCH])
            EmailAddress.objects.bulk_create(
                EmailAddress(user=u, email=u.email, primary=True, verified=False) for u in batch
            )
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    actor=actor,
                    action="user.create_invited",
                    object_type=User._meta.label_lower,
                    object_id=str(u.pk),
                    ip=request.META.get("REMOTE_ADDR") if request else None,
                    extra={},
                )
                for u in batch
            )
    return users


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

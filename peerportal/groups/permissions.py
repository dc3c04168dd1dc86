"""Who may see and do what with groups and sessions."""

from __future__ import annotations

from django.utils import timezone

from peerportal.core.permissions import has_role, is_coordinator

from .models import BookingStatus, GroupSession


def can_facilitate(user, session: GroupSession) -> bool:
    """Coordinators, and the group's own facilitators (who must hold a staff role)."""
    if is_coordinator(user):
        return True
    return has_role(user, "staff") and session.group.facilitators.filter(pk=user.pk).exists()


def can_see_link(user, session: GroupSession, booking=None, now=None) -> bool:
    """The meeting link: confirmed members and facilitators, from shortly before the start."""
    if not session.group.is_virtual or not session.group.virtual_link or session.is_cancelled:
        return False
    now = now or timezone.now()
    if now < session.link_visible_from() or now > session.ends_at:
        return False
    if (
        booking is not None
        and booking.status == BookingStatus.CONFIRMED
        and booking.member_id == user.pk
    ):
        return True
    return can_facilitate(user, session)

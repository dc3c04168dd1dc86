"""Staff's reads: the sessions they facilitate, rosters, and coordinators' group lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.core.permissions import is_coordinator, require_role

from ..models import Booking, BookingStatus, GroupSession, OfferStatus, SupportGroup
from .shared import _upcoming_sessions


def sessions_facilitated_by(user, *, now=None, days: int = 28):
    """Upcoming sessions of the groups the person facilitates — coordinators included:
    "Sessions I facilitate" is their own list (they reach any roster from the group pages)."""
    require_role(user, "staff")
    now = now or timezone.now()
    return _upcoming_sessions(now, days).select_related("group").filter(group__facilitators=user)


def facilitated_sessions_before(facilitator, now: dt.datetime, until: dt.datetime):
    """Upcoming sessions starting before ``until`` of the groups ``facilitator`` (a person or
    their id) facilitates, soonest first: the dashboard panel's read (``panels.facilitating``)."""
    return (
        GroupSession.objects.upcoming(now)
        .filter(starts_at__lt=until, group__facilitators=facilitator)
        .order_by("starts_at")
    )


def facilitated_session_get(user, pk: int) -> GroupSession:
    """A session the person facilitates (coordinators: any); otherwise 404."""
    require_role(user, "staff")
    qs = GroupSession.objects.select_related("group", "group__location")
    if not is_coordinator(user):
        qs = qs.filter(group__facilitators=user)
    return get_object_or_404(qs, pk=pk)


def booking_get_for_facilitator(user, pk: int) -> Booking:
    """A booking in a session the person facilitates (coordinators: any); otherwise 404."""
    require_role(user, "staff")
    qs = Booking.objects.select_related("session__group", "member")
    if not is_coordinator(user):
        qs = qs.filter(session__group__facilitators=user)
    return get_object_or_404(qs, pk=pk)


def roster(session: GroupSession):
    """Display names only: the roster never carries emails or other details."""
    return (
        session.bookings.active()
        .select_related("member")
        .only(
            "id",
            "status",
            "attendance",
            "seat",
            "waitlisted_at",
            "standing_place_id",
            "member__id",
            "member__display_name",
            "session_id",
        )
        .order_by("status", "seat", "waitlisted_at")
    )


def group_list_for_coordinator(user):
    require_role(user, "coordinator")
    return (
        SupportGroup.objects.select_related("location")
        .prefetch_related("facilitators")
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )


def group_sessions_attendance_for_coordinator(user, group: SupportGroup, *, now=None):
    """Coming sessions of a group with regulars, one-offs, waiting and offered counts."""
    require_role(user, "coordinator")
    now = now or timezone.now()
    confirmed = Q(bookings__status=BookingStatus.CONFIRMED)
    return (
        group.sessions.upcoming(now)
        .annotate(
            regulars=Count(
                "bookings",
                filter=confirmed & Q(bookings__standing_place__isnull=False),
                distinct=True,
            ),
            one_offs=Count(
                "bookings",
                filter=confirmed & Q(bookings__standing_place__isnull=True),
                distinct=True,
            ),
            waiting=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.WAITLISTED), distinct=True
            ),
            offered=Count("offers", filter=Q(offers__status=OfferStatus.OPEN), distinct=True),
        )
        .order_by("starts_at")
    )


def group_get_for_coordinator(user, pk: int) -> SupportGroup:
    require_role(user, "coordinator")
    return get_object_or_404(SupportGroup, pk=pk)


def group_has_bookings(group: SupportGroup) -> bool:
    return Booking.objects.filter(session__group=group).exists()

"""Support-group targets for `make bench`: directory, a group page, My bookings, booking POSTs,
and sessions for the contention run."""

from __future__ import annotations

import time

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from peerportal.groups.models import GroupSession, SupportGroup

# The contention races book sessions of their own group: made on the measured group, four
# sessions a race piled up on its page (104 upcoming sessions after a few dozen races,
# which more than doubled that page's cost).
RACE_GROUP_NAME = "Bench races (invented)"


def plans(member_cookies, booking_cookies=None) -> list[dict]:
    group = (
        SupportGroup.objects.filter(is_published=True)
        .exclude(name=RACE_GROUP_NAME)
        .annotate(n=Count("sessions"))
        .order_by("-n")
        .first()
    )
    out = [
        {
            "label": "groups directory",
            "path": reverse("groups:group-list"),
            "method": "GET",
            "cookies": [],
        },
        {
            "label": "my bookings",
            "path": reverse("groups:booking-list"),
            "method": "GET",
            "cookies": member_cookies,
        },
    ]
    if group is not None:
        out.append(
            {
                "label": "group page (member)",
                "path": reverse("groups:group-detail", args=[group.pk]),
                "method": "GET",
                "cookies": member_cookies,
            }
        )
    # Booking POSTs against a roomy session. With ``booking_cookies`` each POST comes from a
    # further member (a real booking each time); otherwise the same members repeat, and
    # after the first booking the answer is "already booked" — both take the locked path.
    roomy = _roomy_session(group) if group is not None else None
    if roomy is not None:
        out.append(
            {
                "label": "booking POST",
                "path": reverse("groups:booking-create", args=[roomy.pk]),
                "method": "POST",
                "cookies": booking_cookies or member_cookies,
                "rotate": bool(booking_cookies),
            }
        )
    return out


def _roomy_session(group) -> GroupSession:
    """One session with room for every booking POST, reused by every run: making one per
    call (as `make profile` and every bench run did) piled hundreds of extra upcoming
    sessions onto the very group page the bench measures. Replaced once it holds 1,000
    bookings, so that POSTs from the 2,000 rotating members stay real bookings."""
    now = timezone.now()
    roomy = (
        GroupSession.objects.filter(group=group, capacity=10_000, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if roomy is not None and roomy.bookings.count() < 1000:
        return roomy
    if roomy is not None:  # members would start answering "already booked": start afresh
        roomy.delete()
    start = now + timezone.timedelta(days=3)
    return GroupSession.objects.create(
        group=group,
        occurrence_start=start.replace(microsecond=time.time_ns() % 1_000_000),
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
        capacity=10_000,
    )


def _race_group() -> SupportGroup:
    group = SupportGroup.objects.filter(name=RACE_GROUP_NAME).first()
    if group is None:  # a copy of a published group's settings (its topics are not copied)
        group = SupportGroup.objects.filter(is_published=True).order_by("pk").first()
        group.pk, group.name = None, RACE_GROUP_NAME
        group.save()
    return group


def contention_targets(sessions: int, seats_each: int):
    group = _race_group()
    start = timezone.now() + timezone.timedelta(days=4)
    rows = []
    for i in range(sessions):
        s = GroupSession.objects.create(
            group=group,
            occurrence_start=start + timezone.timedelta(minutes=time.time_ns() % 100000 + i),
            starts_at=start,
            ends_at=start + timezone.timedelta(hours=1),
            capacity=seats_each,
        )
        rows.append(
            (
                reverse("groups:booking-create", args=[s.pk]),
                seats_each,
                (lambda s=s: s.bookings.filter(status="confirmed").count()),
            )
        )
    return rows

"""Support-group targets for `make bench`: directory, a group page, My bookings, booking POSTs,
and sessions for the contention run."""

from __future__ import annotations

import time

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from peerportal.groups.models import GroupSession, SupportGroup


def plans(member_cookies, booking_cookies=None) -> list[dict]:
    group = (
        SupportGroup.objects.filter(is_published=True)
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
    start = timezone.now() + timezone.timedelta(days=3)
    roomy = (
        GroupSession.objects.create(
            group=group,
            occurrence_start=start.replace(microsecond=time.time_ns() % 1_000_000),
            starts_at=start,
            ends_at=start + timezone.timedelta(hours=1),
            capacity=10_000,
        )
        if group is not None
        else None
    )
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


def contention_targets(sessions: int, seats_each: int):
    group = SupportGroup.objects.filter(is_published=True).first()
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

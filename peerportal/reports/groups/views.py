"""Support-group reports for coordinators: sessions held, bookings, attendance.

Counts below the suppression threshold show as "<5" on screen and in the CSV.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.permissions import role_required
from peerportal.core.privacy import suppress
from peerportal.core.spreadsheet import csv_response
from peerportal.groups.models import (
    HELD_STANDING,
    Attendance,
    Booking,
    BookingStatus,
    SessionStatus,
    StandingPlace,
    SupportGroup,
)


def group_rows():
    now = timezone.now()
    past = Q(sessions__ends_at__lte=now)
    held = Count(
        "sessions", filter=past & Q(sessions__status=SessionStatus.SCHEDULED), distinct=True
    )
    cancelled = Count("sessions", filter=Q(sessions__status=SessionStatus.CANCELLED), distinct=True)
    booked = Count(
        "sessions__bookings", filter=past & Q(sessions__bookings__status=BookingStatus.CONFIRMED)
    )
    attended = Count(
        "sessions__bookings", filter=past & Q(sessions__bookings__attendance=Attendance.ATTENDED)
    )
    no_show = Count(
        "sessions__bookings", filter=past & Q(sessions__bookings__attendance=Attendance.NO_SHOW)
    )
    rows = []
    for g in SupportGroup.objects.annotate(
        held=held, cancelled=cancelled, booked=booked, attended=attended, no_show=no_show
    ).order_by("name"):
        marked = g.attended + g.no_show
        rows.append(
            {
                "group": g.name,
                "held": g.held,
                "cancelled": g.cancelled,
                "booked": suppress(g.booked),
                "attended": suppress(g.attended),
                "no_show": suppress(g.no_show),
                "rate": f"{round(100 * g.attended / marked)}%" if marked >= 5 else "—",
            }
        )
    return rows


def _count(qs, by: str) -> Coalesce:
    """Rows of ``qs`` for the outer group, as a subquery (no join fan-out between counts)."""
    counted = qs.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def standing_rows():
    """Per group with standing places: places held now, dates skipped, regulars' no-shows."""
    now = timezone.now()
    regular = Booking.objects.filter(standing_place__isnull=False, session__group=OuterRef("pk"))
    groups = (
        SupportGroup.objects.filter(
            Q(standing_places_allowed=True) | Q(standing_places__isnull=False)
        )
        .distinct()
        .annotate(
            held=_count(StandingPlace.objects.filter(HELD_STANDING, group=OuterRef("pk")), "group"),
            skips=_count(regular.filter(status=BookingStatus.CANCELLED), "session__group"),
            no_shows=_count(
                regular.filter(attendance=Attendance.NO_SHOW, session__ends_at__lte=now),
                "session__group",
            ),
        )
        .order_by("name")
    )
    return [
        {
            "group": g.name,
            "held": suppress(g.held),
            "skips": suppress(g.skips),
            "no_shows": suppress(g.no_shows),
        }
        for g in groups
    ]


@require_GET
@role_required("coordinator")
def overview(request):
    return render(
        request,
        "groups/report_overview.html",
        {"rows": group_rows(), "standing_rows": standing_rows()},
    )


@require_GET
@role_required("coordinator")
def overview_csv(request):
    audit_record(
        actor=request.user, action="report.export", request=request, extra={"report": "groups"}
    )
    header = [
        "group",
        "sessions held",
        "sessions cancelled",
        "bookings",
        "attended",
        "no-shows",
        "attendance rate",
    ]
    rows = (
        [r["group"], r["held"], r["cancelled"], r["booked"], r["attended"], r["no_show"], r["rate"]]
        for r in group_rows()
    )
    return csv_response("group-report.csv", header, rows)

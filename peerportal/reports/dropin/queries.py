"""Read-only aggregates for drop-in reports. Small counts are suppressed where shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from peerportal.core.models import Location, Organization
from peerportal.dropin.models import Event, RSVPStatus, VisitTally


@dataclass(frozen=True)
class Period:
    start: dt.date  # inclusive, local
    end: dt.date  # inclusive, local
    location: Location | None = None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = Organization.get().tzinfo
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )


def default_period() -> Period:
    today = timezone.localtime(timezone.now(), Organization.get().tzinfo).date()
    return Period(start=today - dt.timedelta(days=27), end=today)


def _events(period: Period):
    start, end = period.bounds()
    qs = Event.objects.filter(starts_at__gte=start, starts_at__lt=min(end, timezone.now()))
    if period.location is not None:
        qs = qs.filter(location=period.location)
    return qs


def events_held_by_location(period: Period) -> list[dict]:
    """Per location: events held (not cancelled, already started) and events cancelled."""
    return list(
        _events(period)
        .values("location__name")
        .annotate(
            held=Count("id", filter=Q(is_cancelled=False)),
            cancelled=Count("id", filter=Q(is_cancelled=True)),
        )
        .order_by("location__name")
    )


def rsvps_vs_attendance(period: Period):
    """Held events with their RSVP count and the attendance staff recorded."""
    return (
        _events(period)
        .filter(is_cancelled=False)
        .select_related("location")
        .annotate(rsvp_total=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.ACTIVE)))
        .order_by("-starts_at", "id")
    )


def _tallies(period: Period):
    qs = VisitTally.objects.filter(date__gte=period.start, date__lte=period.end)
    if period.location is not None:
        qs = qs.filter(location=period.location)
    return qs


def visits_per_day(period: Period) -> list[dict]:
    return list(
        _tallies(period)
        .values("date", "location__name")
        .annotate(total=Sum("count"))
        .order_by("-date", "location__name")
    )


def visits_per_week(period: Period) -> list[dict]:
    """Totals per ISO week (Monday) and location, summed in Python (portable across DBs)."""
    weeks: dict[tuple[dt.date, str], int] = {}
    for row in visits_per_day(period):
        monday = row["date"] - dt.timedelta(days=row["date"].weekday())
        key = (monday, row["location__name"])
        weeks[key] = weeks.get(key, 0) + (row["total"] or 0)
    return [
        {"week": week, "location__name": name, "total": total}
        for (week, name), total in sorted(
            weeks.items(), key=lambda kv: (-kv[0][0].toordinal(), kv[0][1])
        )
    ]


def visits_by_category(period: Period) -> list[dict]:
    return list(
        _tallies(period)
        .values("category__name")
        .annotate(total=Sum("count"))
        .order_by("category__name")
    )

"""Invented demo events and visit counts at the demo drop-in center. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import transaction
from django.utils import timezone

from peerportal.core.models import Location, Organization

from . import services
from .exceptions import DropinError
from .models import Event, EventCategory, EventSeries, VisitCategory, VisitTally

CENTER_NAME = "Harbor Light Drop-in Center"
EVENT_CATEGORIES = ["Social", "Creative", "Skills workshop", "Wellness"]
VISIT_CATEGORIES = ["First visit", "Returning"]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def seed(*, people, scale="small", stdout=None) -> None:
    center = Location.objects.filter(name=CENTER_NAME).first()
    if center is None:
        _say(stdout, "dropin: demo center not found; skipped")
        return
    cats = {
        name: EventCategory.objects.get_or_create(name=name, defaults={"order": i * 10})[0]
        for i, name in enumerate(EVENT_CATEGORIES)
    }
    visit_cats = [
        VisitCategory.objects.get_or_create(name=name, defaults={"order": i * 10})[0]
        for i, name in enumerate(VISIT_CATEGORIES)
    ]
    coordinator = people["coordinator"]
    tz = Organization.get().tzinfo
    today = timezone.localtime(timezone.now(), tz).date()

    series_specs = [
        ("Open art studio", "FREQ=WEEKLY;BYDAY=WE", dt.time(14), dt.time(16), "Creative", None),
        ("Community dinner", "FREQ=WEEKLY;BYDAY=FR", dt.time(18), dt.time(19, 30), "Social", 20),
        ("Gentle movement", "FREQ=WEEKLY;BYDAY=MO", dt.time(11), dt.time(11, 45), "Wellness", None),
    ]
    for title, rule, start, end, cat, capacity in series_specs:
        if EventSeries.objects.filter(title=title, location=center).exists():
            continue
        services.series_create(
            actor=coordinator,
            location=center,
            title=title,
            rrule=rule,
            first_date=today - dt.timedelta(days=21),
            start_time=start,
            end_time=end,
            category=cats[cat],
            description=f"{title} at the drop-in center. Everyone welcome; no experience needed.",
            accessibility_notes="Step-free room; seating available throughout.",
            capacity=capacity,
            rsvp_enabled=capacity is not None,
        )

    def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
        day = today + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    one_offs = [
        ("Resume and cover-letter workshop", 3, 13, 12, "Skills workshop"),
        ("Board games afternoon", 9, 15, None, "Social"),
        ("Past: cooking on a budget", -6, 12, 10, "Skills workshop"),
    ]
    for title, days, hour, capacity, cat in one_offs:
        if Event.objects.filter(title=title, location=center).exists():
            continue
        event = Event.objects.create(
            location=center,
            title=title,
            description=f"{title}. Invented demo event.",
            category=cats[cat],
            starts_at=at(days, hour),
            ends_at=at(days, hour + 2),
            capacity=capacity,
            rsvp_enabled=capacity is not None,
        )
        if days < 0:
            event.attended_count = 9
            event.save(update_fields=["attended_count"])
    workshop = Event.objects.filter(title=one_offs[0][0], location=center).first()
    if workshop is not None:
        for key in ("member", "member2"):
            with contextlib.suppress(DropinError):  # already going
                services.rsvp_create(event=workshop, member=people[key])

    if not VisitTally.objects.filter(location=center).exists():
        rows = []
        for back in range(1, 29):
            day = today - dt.timedelta(days=back)
            if day.weekday() == 6:
                continue
            base = 14 + (back * 7) % 11
            rows.append(VisitTally(location=center, date=day, category=None, count=base))
            rows.append(
                VisitTally(location=center, date=day, category=visit_cats[0], count=back % 4)
            )
            rows.append(
                VisitTally(location=center, date=day, category=visit_cats[1], count=base // 2)
            )
        VisitTally.objects.bulk_create(rows)
    _say(stdout, "dropin: demo events and visit counts ready")
    if scale == "large":
        seed_large(center=center, visit_cats=visit_cats, stdout=stdout)


LARGE_HISTORY_DAYS = 2 * 365


def seed_large(*, center, visit_cats, stdout=None) -> None:
    """Benchmarks: two years of daily visit counts at every active location, and two years
    of the demo series' past events with their head counts (bulk inserts; idempotent)."""
    import random

    tz = Organization.get().tzinfo
    today = timezone.localtime(timezone.now(), tz).date()
    oldest = today - dt.timedelta(days=LARGE_HISTORY_DAYS)
    if VisitTally.objects.filter(location=center, date=oldest).exists():
        return
    rng = random.Random(20261125)  # noqa: S311 — invented data, reproducible
    rows = []
    for location in Location.objects.active():
        for back in range(29, LARGE_HISTORY_DAYS + 1):  # the small seed holds the last 4 weeks
            day = today - dt.timedelta(days=back)
            if day.weekday() == 6:
                continue
            rows.append(
                VisitTally(location=location, date=day, category=None, count=rng.randint(8, 30))
            )
            for category in visit_cats:
                rows.append(
                    VisitTally(
                        location=location, date=day, category=category, count=rng.randint(0, 9)
                    )
                )
    VisitTally.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    events = []
    for series in EventSeries.objects.filter(location=center):
        first = series.events.order_by("starts_at").values_list("starts_at", flat=True).first()
        weekday = (timezone.localtime(first, tz).date() if first else series.first_date).weekday()
        local_start = dt.datetime.combine(oldest, series.start_time, tzinfo=tz)
        while local_start.weekday() != weekday:
            local_start += dt.timedelta(days=1)
        length = dt.datetime.combine(oldest, series.end_time) - dt.datetime.combine(
            oldest, series.start_time
        )
        while first is None or local_start < first:
            if local_start.date() >= today:
                break
            events.append(
                Event(
                    location=center,
                    series=series,
                    occurrence_date=local_start.date(),
                    title=series.title,
                    description=series.description,
                    category=series.category,
                    starts_at=local_start,
                    ends_at=local_start + length,
                    capacity=series.capacity,
                    rsvp_enabled=False,
                    attended_count=rng.randint(4, 24),
                )
            )
            local_start = dt.datetime.combine(
                local_start.date() + dt.timedelta(weeks=1), series.start_time, tzinfo=tz
            )
    Event.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
    _say(
        stdout, f"dropin large: {len(rows)} visit counts over two years, {len(events)} past events"
    )

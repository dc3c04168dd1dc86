"""Coordinator reports: events held, RSVPs against attendance, visits; suppression; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import AuditEvent
from peerportal.dropin import selectors, services
from peerportal.dropin.models import Event, VisitTally
from peerportal.reports.dropin import queries
from tests.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _move(event, start):
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))


@pytest.fixture
def held(location):
    """An event that took place two days ago with 6 RSVPs and 9 attendees, one with 2 RSVPs."""
    now = timezone.now()
    big = EventFactory(
        location=location,
        title="Community lunch",
        starts_at=now + dt.timedelta(hours=1),
        capacity=None,
    )
    small = EventFactory(
        location=location, title="Quiet reading", starts_at=now + dt.timedelta(hours=1)
    )
    for _ in range(6):
        services.rsvp_create(event=big, member=UserFactory())
    for _ in range(2):
        services.rsvp_create(event=small, member=UserFactory())
    for event, attended in ((big, 9), (small, 2)):
        _move(event, now - dt.timedelta(days=2))
        services.event_attendance_record(actor=None, event=event, attended_count=attended)
    cancelled = EventFactory(location=location, title="Trip (cancelled)")
    services.event_cancel(actor=None, event=cancelled)
    _move(cancelled, now - dt.timedelta(days=1))
    EventFactory(location=location, title="Future thing")  # not held yet
    return big, small


def test_events_held_counts_held_and_cancelled(held, location):
    rows = queries.events_held_by_location(queries.default_period())
    assert rows == [{"location__name": location.name, "held": 2, "cancelled": 1}]


def test_report_page_suppresses_small_counts(coordinator_client, held):
    response = coordinator_client.get(reverse("reports:dropin:overview"))
    assert response.status_code == 200
    rows = {e.title: (e.rsvp_total, e.attended_count) for e in response.context["page"]}
    assert rows == {"Community lunch": (6, 9), "Quiet reading": (2, 2)}
    html = response.content.decode()
    assert "&lt;5" in html
    assert "Future thing" not in html


def test_events_csv_suppresses_small_counts_and_is_audited(coordinator_client, held):
    response = coordinator_client.get(reverse("reports:dropin:events-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    body = {r[2]: (r[3], r[4]) for r in rows[1:]}
    assert body == {"Community lunch": ("6", "9"), "Quiet reading": ("<5", "<5")}
    assert AuditEvent.objects.filter(action="report.dropin.events_csv").exists()


@pytest.mark.clock("2027-06-16T17:00:00Z")  # a Wednesday
def test_visits_per_day_and_week(coordinator_client, location):
    today = selectors.local_today()
    monday = today - dt.timedelta(days=today.weekday())
    assert monday + dt.timedelta(days=1) < today  # the data lies inside the period
    VisitTally.objects.create(location=location, date=monday, count=7)
    VisitTally.objects.create(location=location, date=monday + dt.timedelta(days=1), count=3)
    period = queries.Period(start=monday - dt.timedelta(days=7), end=today)
    weeks = queries.visits_per_week(period)
    assert weeks == [{"week": monday, "location__name": location.name, "total": 10}]
    response = coordinator_client.get(
        reverse("reports:dropin:visits-csv"),
        {"start": period.start.isoformat(), "end": period.end.isoformat()},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "location", "visits"]
    assert sorted(r[2] for r in rows[1:]) == ["7", "<5"]


def test_report_filters_by_location(coordinator_client, held):
    from tests.factories import LocationFactory

    other = LocationFactory()
    response = coordinator_client.get(reverse("reports:dropin:overview"), {"location": other.pk})
    assert list(response.context["page"]) == []


def test_csv_cells_cannot_start_a_formula(coordinator_client, location):
    event = EventFactory(location=location, title="=HYPERLINK(1)")
    _move(event, timezone.now() - dt.timedelta(days=1))
    text = coordinator_client.get(reverse("reports:dropin:events-csv")).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_reports_are_for_coordinators_only(persona_clients):
    for persona, client in persona_clients.items():
        for name in ("overview", "events-csv", "visits-csv"):
            response = client.get(reverse(f"reports:dropin:{name}"))
            assert response.status_code == (200 if persona == "coordinator" else 403), persona


def test_a_week_across_new_year_is_one_week(location):
    """ISO weeks run Monday to Sunday across the year boundary: 28 Dec 2026 – 3 Jan 2027."""
    for day, count in (((2026, 12, 28), 5), ((2027, 1, 3), 6), ((2027, 1, 4), 7)):
        VisitTally.objects.create(location=location, date=dt.date(*day), count=count)
    period = queries.Period(start=dt.date(2026, 12, 20), end=dt.date(2027, 1, 10))
    assert [(w["week"], w["total"]) for w in queries.visits_per_week(period)] == [
        (dt.date(2027, 1, 4), 7),
        (dt.date(2026, 12, 28), 11),
    ]


@pytest.mark.parametrize(
    ("first", "last", "hours"),
    [
        ((2027, 3, 8), (2027, 3, 14), 7 * 24 - 1),  # spring forward: one hour fewer
        ((2027, 11, 1), (2027, 11, 7), 7 * 24 + 1),  # fall back: one hour more
        ((2026, 12, 28), (2027, 1, 3), 7 * 24),
    ],
)
def test_a_report_period_is_whole_local_days_across_dst_and_new_year(
    new_york, location, first, last, hours
):
    period = queries.Period(start=dt.date(*first), end=dt.date(*last))
    start, end = period.bounds()
    assert (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() == hours * 3600
    new_york = start.tzinfo
    assert start.astimezone(new_york).time() == end.astimezone(new_york).time() == dt.time(0)


@pytest.mark.clock("2027-11-08T12:00:00Z")
def test_events_held_in_the_autumn_dst_week_count_to_the_last_local_minute(new_york, location):
    inside = EventFactory(location=location, title="Late Sunday circle")
    outside = EventFactory(location=location, title="Monday circle")
    _move(inside, dt.datetime(2027, 11, 7, 21, 59, tzinfo=new_york))
    _move(outside, dt.datetime(2027, 11, 8, 0, 0, tzinfo=new_york))
    period = queries.Period(start=dt.date(2027, 11, 1), end=dt.date(2027, 11, 7))
    assert queries.events_held_by_location(period) == [
        {"location__name": location.name, "held": 1, "cancelled": 0}
    ]


@pytest.mark.parametrize(
    ("instant", "today"),
    [
        ((2026, 11, 23, 5, 30), (2026, 11, 23)),  # Monday 00:30 in New York
        ((2026, 11, 23, 4, 30), (2026, 11, 22)),  # still Sunday 23:30 there
        ((2027, 1, 1, 4, 30), (2026, 12, 31)),  # New Year's Eve, late evening
        ((2028, 2, 29, 12, 0), (2028, 2, 29)),
    ],
)
def test_the_default_period_ends_on_the_organizations_today(new_york, instant, today):
    with time_machine.travel(dt.datetime(*instant, tzinfo=dt.UTC), tick=False):
        period = queries.default_period()
    assert period.end == dt.date(*today)
    assert period.end - period.start == dt.timedelta(days=27)

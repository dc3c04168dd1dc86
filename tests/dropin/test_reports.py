"""Coordinator reports: events held, RSVPs against attendance, visits; suppression; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
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


def test_visits_per_day_and_week(coordinator_client, location):
    today = selectors.local_today()
    monday = today - dt.timedelta(days=today.weekday())
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

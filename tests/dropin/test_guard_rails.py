# ruff: noqa: F811 — the "pinned" fixture comes from tests.clock and is a parameter here
"""Guard rails on drop-in forms and services (core.bounds): a bad value gets a clear
message and changes nothing. The clock is pinned at awkward instants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.dropin import services
from peerportal.dropin.exceptions import OutOfBounds
from peerportal.dropin.models import Event, EventSeries
from tests.clock import NEW_YORK, pinned  # noqa: F401 — fixture

from .factories import EventFactory, RSVPFactory


def local(instant: dt.datetime, *, days: int = 0, hours: int = 0) -> str:
    when = instant.astimezone(NEW_YORK) + dt.timedelta(days=days, hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M")


def _post(client, location, start: str, end: str, **extra):
    data = {
        "location": location.pk,
        "title": "Guard rail test event",
        "starts_at": start,
        "ends_at": end,
        "is_published": "on",
        **extra,
    }
    return client.post(reverse("dropin:event-create"), data)


def _nothing_saved():
    assert not Event.objects.filter(title="Guard rail test event").exists()
    assert not EventSeries.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "extra", "field", "words"),
    [
        ("1900-01-02T10:00", "1900-01-02T12:00", {}, "starts_at", "Check the year"),
        ("9999-01-02T10:00", "9999-01-02T12:00", {}, "starts_at", "two years"),
        ("2019-05-01T10:00", "2019-05-01T12:00", {}, "starts_at", "Check the year"),
        ((2, 0), (2, -1), {}, "ends_at", "end must be after the start"),
        ((2, 0), (2, 30), {}, "ends_at", "more than 24 hours"),
        ((2, 0), (2, 2), {"rsvp_enabled": "on", "capacity": "0"}, "capacity", "between 1 and 500"),
        ((2, 0), (2, 2), {"capacity": "100000"}, "capacity", "between 1 and 500"),
        (
            (2, 0),
            (2, 2),
            {"repeat": "custom", "custom_rule": "FREQ=MINUTELY"},
            "custom_rule",
            "more than once a day",
        ),
        (
            (2, 0),
            (2, 2),
            {"repeat": "FREQ=WEEKLY", "until": "2218-01-01"},
            "until",
            "two years",
        ),
    ],
)
def test_event_form_refuses_out_of_bounds_values(
    pinned,
    coordinator_client,
    location,
    start,
    end,
    extra,
    field,
    words,
):
    if isinstance(start, tuple):
        start = local(pinned, days=start[0], hours=start[1])
        end = local(pinned, days=end[0], hours=end[1])
    response = _post(coordinator_client, location, start, end, **extra)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert words in errors, response.context["form"].errors
    assert "dropin_" not in response.content.decode()  # never a constraint name
    _nothing_saved()


def test_an_event_entered_a_few_days_late_is_fine(pinned, coordinator_client, location):
    response = _post(
        coordinator_client, location, local(pinned, days=-3), local(pinned, days=-3, hours=2)
    )
    assert response.status_code == 302
    assert Event.objects.filter(title="Guard rail test event").count() == 1


def test_an_upcoming_event_cannot_be_moved_into_the_past(pinned, coordinator_client, location):
    event = EventFactory(
        location=location,
        starts_at=pinned + dt.timedelta(days=1),
        ends_at=pinned + dt.timedelta(days=1, hours=2),
    )
    RSVPFactory(event=event)
    before = event.starts_at
    response = coordinator_client.post(
        reverse("dropin:event-edit", args=[event.pk]),
        {
            "location": location.pk,
            "title": event.title,
            "starts_at": local(pinned, days=-1),
            "ends_at": local(pinned, days=-1, hours=2),
            "is_published": "on",
        },
    )
    assert response.status_code == 200
    assert "already passed" in " ".join(response.context["form"].errors["starts_at"])
    event.refresh_from_db()
    assert event.starts_at == before


def test_a_past_event_keeps_its_start_when_its_title_is_edited(
    pinned, coordinator_client, location
):
    event = EventFactory(
        location=location,
        starts_at=pinned - dt.timedelta(days=30),
        ends_at=pinned - dt.timedelta(days=30) + dt.timedelta(hours=2),
    )
    response = coordinator_client.post(
        reverse("dropin:event-edit", args=[event.pk]),
        {
            "location": location.pk,
            "title": "Renamed afterwards",
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed afterwards"


def test_attendance_form_refuses_an_impossible_head_count(pinned, staff_client, location):
    event = EventFactory(
        location=location,
        starts_at=pinned - dt.timedelta(hours=3),
        ends_at=pinned - dt.timedelta(hours=1),
    )
    response = staff_client.post(
        reverse("dropin:event-attendance", args=[event.pk]), {"attended_count": 99999}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attended_count"]
    event.refresh_from_db()
    assert event.attended_count is None


# --- the services hold the same bounds (the demo seed and commands call them) --------------


def test_event_service_refuses_what_the_form_refuses(pinned, coordinator, location):
    with pytest.raises(OutOfBounds, match="Check the year"):
        services.event_create(
            actor=coordinator,
            location=location,
            title="Guard rail test event",
            starts_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
            ends_at=dt.datetime(1900, 1, 1, 2, tzinfo=dt.UTC),
        )
    with pytest.raises(OutOfBounds, match="between 1 and 500"):
        services.event_create(
            actor=coordinator,
            location=location,
            title="Guard rail test event",
            starts_at=pinned + dt.timedelta(days=1),
            ends_at=pinned + dt.timedelta(days=1, hours=1),
            capacity=0,
        )
    _nothing_saved()


def test_event_update_service_refuses_a_move_into_the_past(pinned, coordinator, location):
    event = EventFactory(
        location=location,
        starts_at=pinned + dt.timedelta(days=2),
        ends_at=pinned + dt.timedelta(days=2, hours=1),
    )
    with pytest.raises(OutOfBounds, match="already passed"):
        services.event_update(
            actor=coordinator,
            event=event,
            starts_at=dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC),
            ends_at=dt.datetime(2020, 1, 1, 11, tzinfo=dt.UTC),
        )
    event.refresh_from_db()
    assert event.starts_at == pinned + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("rule", "until", "words"),
    [
        ("FREQ=MINUTELY", None, "more than once a day"),
        ("FREQ=WEEKLY;INTERVAL=1000", None, "interval"),
        ("FREQ=WEEKLY", dt.date(2218, 1, 1), "two years"),
    ],
)
def test_series_service_refuses_unbounded_repeats(
    pinned, coordinator, location, rule, until, words
):
    today = timezone.localdate(pinned, NEW_YORK)
    with pytest.raises(OutOfBounds, match=words):
        services.series_create(
            actor=coordinator,
            location=location,
            title="Guard rail test event",
            rrule=rule,
            first_date=today,
            until=until,
            start_time=dt.time(18),
            end_time=dt.time(19),
        )
    _nothing_saved()


def test_attendance_service_refuses_a_negative_count(pinned, staff, location):
    event = EventFactory(
        location=location,
        starts_at=pinned - dt.timedelta(hours=3),
        ends_at=pinned - dt.timedelta(hours=1),
    )
    with pytest.raises(OutOfBounds):
        services.event_attendance_record(actor=staff, event=event, attended_count=-1)
    event.refresh_from_db()
    assert event.attended_count is None


def test_visits_cannot_be_counted_for_the_future_or_long_ago(pinned, location):
    from peerportal.dropin.models import VisitTally

    today = timezone.localdate(pinned, NEW_YORK)
    for day in (today + dt.timedelta(days=1), dt.date(1900, 1, 1)):
        with pytest.raises(OutOfBounds):
            services.visit_tap(location=location, day=day)
    assert not VisitTally.objects.exists()
    assert services.visit_tap(location=location, day=today - dt.timedelta(days=2)).count == 1


def test_a_capacity_without_rsvps_is_refused_not_ignored(pinned, coordinator_client, location):
    response = _post(
        coordinator_client,
        location,
        local(pinned, days=2),
        local(pinned, days=2, hours=2),
        capacity="20",
    )
    assert response.status_code == 200
    assert "turn RSVPs on" in " ".join(response.context["form"].errors["capacity"])
    _nothing_saved()

"""Recurring events expand in local time, and the public iCal feed keeps 18:00 at 18:00."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from peerportal.dropin import services, tasks
from peerportal.dropin.models import Event
from tests.factories import org_localdate

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC)  # "now" for expansion, before March's change


def _weekly_at_six(location, coordinator, **kwargs):
    return services.series_create(
        actor=coordinator,
        location=location,
        title="Evening peer circle",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=dt.date(2027, 2, 2),
        until=dt.date(2027, 11, 30),
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
        now=START,
        **kwargs,
    )


def test_series_expansion_keeps_local_time_across_both_dst_changes(new_york, location, coordinator):
    series = _weekly_at_six(location, coordinator)
    services.series_expand(series=series, now=START, horizon_days=330)
    events = list(Event.objects.filter(series=series).order_by("starts_at"))
    local = [e.starts_at.astimezone(new_york) for e in events]
    assert {(t.hour, t.minute) for t in local} == {(18, 0)}
    # 18:00 EST is 23:00 UTC; 18:00 EDT is 22:00 UTC.
    by_date = {e.occurrence_date: e.starts_at for e in events}
    assert by_date[dt.date(2027, 3, 9)].hour == 23  # before 14 March: EST
    assert by_date[dt.date(2027, 3, 16)].hour == 22  # after: EDT
    assert by_date[dt.date(2027, 11, 2)].hour == 22  # before 7 November: EDT
    assert by_date[dt.date(2027, 11, 9)].hour == 23  # after: EST
    assert max(by_date) <= dt.date(2027, 11, 30)


def test_series_expansion_is_idempotent(new_york, location, coordinator):
    series = _weekly_at_six(location, coordinator)
    first = Event.objects.filter(series=series).count()
    assert first > 0
    assert services.series_expand(series=series, now=START) == 0
    assert Event.objects.filter(series=series).count() == first


def test_series_expansion_rolls_the_horizon_forward(new_york, location, coordinator):
    series = _weekly_at_six(location, coordinator)
    before = Event.objects.filter(series=series).count()
    created = services.series_expand_all(now=START + dt.timedelta(days=28))
    assert created == 4
    assert Event.objects.filter(series=series).count() == before + 4


def test_daily_task_expands_active_series(new_york, location, coordinator):

    tomorrow = org_localdate() + dt.timedelta(days=1)
    series = services.series_create(
        actor=coordinator,
        location=location,
        title="Morning coffee",
        rrule="FREQ=DAILY",
        first_date=tomorrow,
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    Event.objects.filter(series=series).delete()
    assert tasks.series_expand_all.delay().get() > 0  # the task uses the real clock
    assert Event.objects.filter(series=series, occurrence_date=tomorrow).exists()


def test_inactive_series_is_not_expanded(new_york, location, coordinator):
    series = _weekly_at_six(location, coordinator)
    series.is_active = False
    series.save()
    Event.objects.filter(series=series).delete()
    assert services.series_expand(series=series, now=START) == 0


@pytest.mark.clock(START)  # the feed lists what is coming from "now"
def test_ical_feed_parses_and_shows_local_times_across_dst(
    anonymous_client, new_york, location, coordinator
):
    series = _weekly_at_six(location, coordinator)
    services.series_expand(series=series, now=START, horizon_days=330)
    response = anonymous_client.get(reverse("dropin:location-feed", args=[location.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    vevents = cal.walk("VEVENT")
    assert len(vevents) == Event.objects.filter(series=series).count()
    starts = {}
    for vevent in vevents:
        start = vevent.decoded("DTSTART")
        assert vevent["DTSTART"].params["TZID"] == "America/New_York"
        assert (start.hour, start.minute) == (18, 0)
        assert (vevent.decoded("DTEND").hour, vevent.decoded("DTEND").minute) == (19, 30)
        starts[start.date()] = start.astimezone(dt.UTC).hour
    assert starts[dt.date(2027, 3, 9)] == 23
    assert starts[dt.date(2027, 3, 16)] == 22
    assert starts[dt.date(2027, 11, 2)] == 22
    assert starts[dt.date(2027, 11, 9)] == 23


def test_ical_feed_has_only_published_events_of_that_location(anonymous_client, location, new_york):
    from tests.dropin.factories import EventFactory
    from tests.factories import LocationFactory

    EventFactory(location=location, title="Visible gathering")
    EventFactory(location=location, title="Draft gathering", is_published=False)
    EventFactory(location=LocationFactory(), title="Elsewhere gathering")
    cancelled = EventFactory(location=location, title="Called-off gathering")
    services.event_cancel(actor=None, event=cancelled, notice="Heating is broken.")
    response = anonymous_client.get(reverse("dropin:location-feed", args=[location.pk]))
    cal = icalendar.Calendar.from_ical(response.content)
    summaries = {str(e["SUMMARY"]): str(e["STATUS"]) for e in cal.walk("VEVENT")}
    assert summaries == {"Visible gathering": "CONFIRMED", "Called-off gathering": "CANCELLED"}


def test_ical_feed_of_an_unknown_or_inactive_location_is_404(anonymous_client, location):
    location.is_active = False
    location.save()
    assert (
        anonymous_client.get(reverse("dropin:location-feed", args=[location.pk])).status_code == 404
    )


def test_ending_a_series_cancels_what_is_to_come_tells_rsvps_and_stops_new_dates(
    location, coordinator, member, coordinator_client, member_client
):
    from django.utils import timezone

    from peerportal.core.models import AuditEvent, Organization
    from peerportal.reminders.models import Reminder

    today = timezone.localdate(timezone.now(), Organization.get().tzinfo)
    series = services.series_create(
        actor=coordinator,
        location=location,
        title="Weekly games",
        rrule="FREQ=DAILY",
        first_date=today - dt.timedelta(days=3),
        start_time=dt.time(12),
        end_time=dt.time(13),
        capacity=10,
        rsvp_enabled=True,
    )
    upcoming = Event.objects.filter(series=series, starts_at__gt=timezone.now())
    assert upcoming.count() > 3
    past = Event.objects.create(
        location=location,
        series=series,
        occurrence_date=today - dt.timedelta(days=2),
        title="Weekly games",
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=1),
        attended_count=7,
    )
    services.rsvp_create(event=upcoming.first(), member=member)

    url = reverse("dropin:series-end", args=[series.pk])
    assert member_client.get(url).status_code == 403
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert page.context["summary"] == {"events": upcoming.count(), "rsvps": 1}
    # The notice is required: nothing changes without it.
    assert coordinator_client.post(url, {"notice": ""}).status_code == 200
    assert not Event.objects.filter(series=series, is_cancelled=True).exists()

    to_cancel = upcoming.count()
    response = coordinator_client.post(url, {"notice": "The games move to Fridays."})
    assert response.status_code == 302
    series.refresh_from_db()
    assert not series.is_active and series.until == today
    assert Event.objects.filter(series=series, is_cancelled=True).count() == to_cancel
    past.refresh_from_db()
    assert not past.is_cancelled and past.attended_count == 7
    assert Reminder.objects.filter(kind=services.KIND_CANCELLED, recipient=member).count() == 1
    assert AuditEvent.objects.filter(action="event_series.end", object_id=str(series.pk)).exists()
    # No new dates are made, and the series can't be ended twice.
    assert services.series_expand(series=series) == 0
    assert coordinator_client.get(url).status_code == 404

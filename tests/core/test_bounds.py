# ruff: noqa: F811 — the "pinned" fixture comes from tests.clock and is a parameter here
"""core.bounds: every bound's edges, at awkward instants; location and organization forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peerportal.core import bounds, services
from peerportal.core.models import Location, OpeningHours, Organization
from tests.clock import pinned  # noqa: F401 — fixture
from tests.factories import LocationFactory

H = dt.timedelta(hours=1)


def refused(check, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        check(*args, **kwargs)
    return " ".join(info.value.messages)


def test_schedule_window(pinned):
    now = pinned
    bounds.check_schedule_window(now + H)
    bounds.check_schedule_window(now + bounds.SCHEDULE_MAX_AHEAD)
    assert "already passed" in refused(bounds.check_schedule_window, now - H)
    assert "two years" in refused(bounds.check_schedule_window, now + bounds.SCHEDULE_MAX_AHEAD + H)
    bounds.check_schedule_window(now - 6 * 24 * H, backfill=True)
    assert "7 days in the past" in refused(
        bounds.check_schedule_window, now - 8 * 24 * H, backfill=True
    )


def test_date_window_uses_the_organization_calendar(pinned):
    today = bounds.local_today()
    assert today == pinned.astimezone(Organization.get().tzinfo).date()
    bounds.check_date_window(today)
    assert "already passed" in refused(bounds.check_date_window, today - dt.timedelta(days=1))
    bounds.check_date_window(today - dt.timedelta(days=7), backfill=True)
    assert "Check the year" in refused(bounds.check_date_window, dt.date(1900, 1, 1), backfill=True)
    assert "Check the year" in refused(bounds.check_date_window, dt.date(9999, 1, 1))


def test_ends_after_starts_and_maximum_length(pinned):
    now = pinned
    assert "after the start" in refused(bounds.check_ends_after_starts, now, now)
    assert "after the start" in refused(bounds.check_ends_after_starts, now, now - H)
    bounds.check_ends_after_starts(now, now + 24 * H, max_duration=bounds.EVENT_MAX_DURATION)
    assert "more than 24 hours" in refused(
        bounds.check_ends_after_starts, now, now + 25 * H, max_duration=bounds.EVENT_MAX_DURATION
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MINUTELY",
        "FREQ=HOURLY;INTERVAL=1",
        "FREQ=SECONDLY",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=53",
        "FREQ=DAILY;COUNT=10000",
        "FREQ=WEEKLY;UNTIL=22180101T000000",
        "BYDAY=TU",
        "FREQ=WEEKLY;BYDAY",
        "nonsense",
    ],
)
def test_recurrence_rules_outside_the_bounds_are_refused(rule):
    with pytest.raises(ValidationError):
        bounds.check_recurrence(rule)


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=2TU", "FREQ=DAILY;COUNT=730"]
)
def test_everyday_rules_pass(rule):
    bounds.check_recurrence(rule)


def test_series_until(pinned):
    today = bounds.local_today()
    bounds.check_series_until(today, today + dt.timedelta(days=700))
    assert "before the first" in refused(
        bounds.check_series_until, today, today - dt.timedelta(days=1)
    )
    assert "two years" in refused(bounds.check_series_until, today, dt.date(2218, 1, 1))


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (bounds.validate_call_minutes, [1, 240], [0, 241, -5]),
        (bounds.validate_event_capacity, [1, 500, None], [0, 501]),
        (bounds.validate_attendance, [0, 5000], [-1, 5001]),
        (bounds.validate_shift_staff, [1, 20], [0, 21]),
        (bounds.validate_horizon_weeks, [1, 26], [0, 27, 10000]),
        (bounds.validate_weekly_hours, [1, 60], [0, 61]),
        (bounds.validate_release_cutoff, [0, 168], [169]),
        (bounds.validate_gap_alert_days, [1, 30], [0, 31]),
        (bounds.validate_training_hours, [Decimal("0.25"), Decimal(120)], [0, Decimal(121)]),
        (bounds.validate_supervision_hours, [Decimal("0.25"), Decimal(8)], [0, Decimal(9)]),
    ],
)
def test_count_and_duration_bounds(validator, good, bad):
    for value in good:
        validator(value)
    for value in bad:
        message = refused(validator, value)
        assert "between" in message and "%(" not in message


def test_call_start(pinned):
    now = pinned
    bounds.check_call_started(now)
    bounds.check_call_started(now + dt.timedelta(minutes=4))  # clock skew
    bounds.check_call_started(now - 6 * 24 * H)
    assert "future" in refused(bounds.check_call_started, now + H)
    assert "7 days" in refused(bounds.check_call_started, now - 8 * 24 * H)


def test_completed_and_supervision_dates(pinned):
    today = bounds.local_today()
    bounds.check_completed_on(today)
    bounds.check_completed_on(dt.date(1990, 1, 1))
    assert "future" in refused(bounds.check_completed_on, today + dt.timedelta(days=1))
    assert "1990" in refused(bounds.check_completed_on, dt.date(1989, 12, 31))
    bounds.check_supervision_date(today)
    assert "future" in refused(bounds.check_supervision_date, dt.date(2031, 1, 6))
    assert "a year" in refused(bounds.check_supervision_date, today - dt.timedelta(days=400))


def test_certificate_dates():
    issued = dt.date(2026, 2, 28)
    bounds.check_certificate_dates(issued, dt.date(2028, 2, 29))
    assert "after the issue" in refused(bounds.check_certificate_dates, issued, issued)
    assert "ten years" in refused(bounds.check_certificate_dates, issued, dt.date(2099, 1, 1))


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.time(7), dt.time(7), "different times"),
        (dt.time(7), None, "both"),
        (dt.time(6), dt.time(23), "at most 16 hours"),
    ],
)
def test_quiet_hours_refused(start, end, words):
    assert words in refused(bounds.check_quiet_hours, start, end)


def test_quiet_hours_across_midnight_pass():
    bounds.check_quiet_hours(dt.time(22), dt.time(7))
    bounds.check_quiet_hours(None, None)


def test_enforced_turns_a_bound_into_the_domain_error():
    class Oops(Exception):
        pass

    with pytest.raises(Oops, match="between 1 and 240"), bounds.enforced(Oops):
        bounds.validate_call_minutes(0)


# --- locations and organization settings ------------------------------------------------


def _location_post(**hours):
    data = {
        "name": "Riverside Test Center",
        "kind": "dropin",
        "address": "2 Invented Lane",
        "city": "Testville",
        "postal_code": "00000",
        "phone": "",
        "accessibility_notes": "",
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": str(len(hours)),
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, opens, closes) in enumerate(hours.values()):
        data |= {
            f"opening_hours-{i}-weekday": weekday,
            f"opening_hours-{i}-opens": opens,
            f"opening_hours-{i}-closes": closes,
        }
    return data


def test_overlapping_opening_hours_are_refused_and_nothing_saved(coordinator_client):
    from peerportal.core.models import LocationKind

    data = _location_post(a=(0, "09:00", "13:00"), b=(0, "12:00", "17:00"))
    data["kind"] = LocationKind.values[0]
    response = coordinator_client.post(reverse("core:location-create"), data)
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not Location.objects.exists() and not OpeningHours.objects.exists()


def test_closing_before_opening_is_refused(coordinator_client):
    from peerportal.core.models import LocationKind

    data = _location_post(a=(2, "17:00", "09:00"))
    data["kind"] = LocationKind.values[0]
    response = coordinator_client.post(reverse("core:location-create"), data)
    assert response.status_code == 200
    assert "Closing time must be after opening time" in response.content.decode()
    assert "core_hours_close_after_open" not in response.content.decode()
    assert not Location.objects.exists()


def test_good_opening_hours_are_saved(coordinator_client):
    from peerportal.core.models import LocationKind

    data = _location_post(a=(0, "09:00", "12:00"), b=(0, "13:00", "17:00"))
    data["kind"] = LocationKind.values[0]
    response = coordinator_client.post(reverse("core:location-create"), data)
    assert response.status_code == 302
    assert OpeningHours.objects.count() == 2


@pytest.mark.django_db
def test_location_service_refuses_what_the_form_refuses(coordinator):
    location = LocationFactory()
    OpeningHours.objects.create(location=location, weekday=1, opens="09:00", closes="12:00")
    too_many = [(1, dt.time(h), dt.time(h, 30)) for h in range(8, 13)]
    with pytest.raises(services.CoreError, match="at most 4 blocks"):
        services.location_save(actor=coordinator, location=location, opening_hours=too_many)
    assert location.opening_hours.count() == 1


def test_a_bad_time_zone_is_refused_and_nothing_changes(coordinator_client):
    before = Organization.get()
    response = coordinator_client.post(
        reverse("core:organization-edit"),
        {
            "name": "Changed Name",
            "time_zone": "Mars/Olympus",
            "crisis_resources": "Call 988.",
            "warm_line_notice": "Not a crisis line.",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    after = Organization.get()
    assert (after.name, after.time_zone) == (before.name, before.time_zone)

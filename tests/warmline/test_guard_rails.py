# ruff: noqa: F811 — the "pinned" fixture comes from tests.clock and is a parameter here
"""Guard rails on warm-line forms and services (core.bounds): calls, lines, patterns,
shift moves. A bad value gets a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.warmline import services
from peerportal.warmline.exceptions import WarmLineError
from peerportal.warmline.models import CallRecord, Shift, ShiftPattern, WarmLine
from tests.clock import NEW_YORK, pinned  # noqa: F401 — fixture

from .factories import ShiftFactory


def local(instant: dt.datetime, **delta) -> str:
    return (instant.astimezone(NEW_YORK) + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("started", "minutes", "field", "words"),
    [
        ("2030-06-01T10:00", 15, "started_at", "future"),
        ("1900-06-01T10:00", 15, "started_at", "7 days"),
        (None, 0, "duration_minutes", "between 1 and 240"),
        (None, 241, "duration_minutes", "between 1 and 240"),
        (None, 601, "duration_minutes", "between 1 and 240"),
    ],
)
def test_call_form_refuses_impossible_calls(
    pinned,
    line,
    staff_client,
    started,
    minutes,
    field,
    words,
):
    data = {
        "line": line.pk,
        "contact_type": "call",
        "started_at": started or local(pinned, minutes=-150),
        "duration_minutes": minutes,
    }
    response = staff_client.post(reverse("warmline:call-create"), data)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert "warmline_call_duration_sane" not in response.content.decode()
    assert not CallRecord.objects.exists()


def test_a_call_from_this_evening_is_fine(pinned, line, staff_client):
    data = {
        "line": line.pk,
        "contact_type": "call",
        "started_at": local(pinned, minutes=-150),
        "duration_minutes": 240,
    }
    assert staff_client.post(reverse("warmline:call-create"), data).status_code == 302
    assert CallRecord.objects.count() == 1


def test_call_services_refuse_what_the_form_refuses(pinned, line, staff):
    with pytest.raises(WarmLineError, match="between 1 and 240"):
        services.call_record_create(
            author=staff, line=line, contact_type="call", started_at=pinned, duration_minutes=0
        )
    with pytest.raises(WarmLineError, match="future"):
        services.call_record_create(
            author=staff,
            line=line,
            contact_type="call",
            started_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            duration_minutes=5,
        )
    assert not CallRecord.objects.exists()
    record = services.call_record_create(
        author=staff, line=line, contact_type="call", started_at=pinned, duration_minutes=5
    )
    with pytest.raises(WarmLineError, match="between 1 and 240"):
        services.call_record_update(author=staff, record=record, duration_minutes=1000)
    record.refresh_from_db()
    assert record.duration_minutes == 5


def _line_data(**changes):
    return {
        "name": "Guard Rail Line",
        "max_hours_per_week": 16,
        "release_cutoff_hours": 48,
        "gap_alert_days": 3,
        "is_active": "on",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_hours_per_week": 0}, "max_hours_per_week"),
        ({"max_hours_per_week": 500}, "max_hours_per_week"),
        ({"release_cutoff_hours": 1000}, "release_cutoff_hours"),
        ({"gap_alert_days": 0}, "gap_alert_days"),
        ({"gap_alert_days": 365}, "gap_alert_days"),
    ],
)
def test_line_form_refuses_out_of_bounds_settings(coordinator_client, changes, field):
    response = coordinator_client.post(reverse("warmline:line-create"), _line_data(**changes))
    assert response.status_code == 200
    assert "between" in " ".join(response.context["form"].errors[field])
    assert not WarmLine.objects.filter(name="Guard Rail Line").exists()


def test_line_service_refuses_out_of_bounds_settings(coordinator, line):
    line.max_hours_per_week = 1000
    with pytest.raises(WarmLineError, match="between 1 and 60"):
        services.warm_line_save(actor=coordinator, line=line)
    line.refresh_from_db()
    assert line.max_hours_per_week != 1000


def _pattern_data(pinned, **changes):
    return {
        "rrule": "FREQ=WEEKLY;BYDAY=SA,SU",
        "first_date": timezone.localdate(pinned, NEW_YORK).isoformat(),
        "start_time": "18:00",
        "end_time": "21:00",
        "min_staff": 1,
        "max_staff": 2,
        "required_qualification": "",
        "horizon_weeks": 4,
        "is_active": "on",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"rrule": "FREQ=MINUTELY"}, "rrule", "more than once a day"),
        ({"rrule": "FREQ=WEEKLY;BYDAY"}, "rrule", "recurrence rule"),
        ({"horizon_weeks": 10000}, "horizon_weeks", "between 1 and 26"),
        ({"first_date": "1900-01-01"}, "first_date", "Check the year"),
        ({"first_date": "9999-01-01"}, "first_date", "two years"),
        ({"start_time": "06:00", "end_time": "23:00"}, "end_time", "more than 16 hours"),
        ({"start_time": "18:00", "end_time": "18:00"}, "end_time", "different time"),
        ({"min_staff": 3, "max_staff": 2}, "max_staff", "cannot be below"),
        ({"max_staff": 50}, "max_staff", "between 1 and 20"),
    ],
)
def test_pattern_form_refuses_out_of_bounds_patterns(
    pinned,
    line,
    coordinator_client,
    changes,
    field,
    words,
):
    url = reverse("warmline:pattern-create", args=[line.pk])
    response = coordinator_client.post(url, _pattern_data(pinned, **changes))
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert not ShiftPattern.objects.exists() and not Shift.objects.exists()


def test_pattern_service_refuses_an_unbounded_horizon(pinned, line, coordinator):
    pattern = ShiftPattern(
        line=line,
        rrule="FREQ=DAILY",
        first_date=timezone.localdate(pinned, NEW_YORK),
        start_time=dt.time(9),
        end_time=dt.time(12),
        horizon_weeks=10000,
    )
    with pytest.raises(WarmLineError, match="between 1 and 26"):
        services.shift_pattern_save(actor=coordinator, pattern=pattern)
    assert not ShiftPattern.objects.exists() and not Shift.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        ({"days": -2}, {"days": -2, "hours": 3}, "starts_at", "already passed"),
        ({"days": 1}, {"days": 1, "hours": 20}, "ends_at", "more than 16 hours"),
        ({"days": 1}, {"days": 1, "hours": -1}, "ends_at", "after the start"),
        ({"days": 1000}, {"days": 1000, "hours": 2}, "starts_at", "two years"),
    ],
)
def test_shift_move_form_refuses_the_past_and_marathons(
    pinned,
    line,
    coordinator_client,
    start,
    end,
    field,
    words,
):
    shift = ShiftFactory(
        line=line,
        starts_at=pinned + dt.timedelta(days=2),
        ends_at=pinned + dt.timedelta(days=2, hours=3),
    )
    before = (shift.starts_at, shift.ends_at)
    response = coordinator_client.post(
        reverse("warmline:shift-edit", args=[shift.pk]),
        {"starts_at": local(pinned, **start), "ends_at": local(pinned, **end)},
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    shift.refresh_from_db()
    assert (shift.starts_at, shift.ends_at) == before


def test_shift_move_service_refuses_the_past(pinned, line, coordinator):
    shift = ShiftFactory(
        line=line,
        starts_at=pinned + dt.timedelta(days=2),
        ends_at=pinned + dt.timedelta(days=2, hours=3),
    )
    with pytest.raises(WarmLineError, match="already passed"):
        services.shift_update(
            actor=coordinator,
            shift=shift,
            starts_at=dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC),
            ends_at=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC),
        )
    shift.refresh_from_db()
    assert shift.starts_at == pinned + dt.timedelta(days=2)


def test_a_running_shift_can_be_extended(pinned, line, coordinator_client):
    shift = ShiftFactory(
        line=line,
        starts_at=pinned - dt.timedelta(hours=2),  # not 01:30 on the fall-back night
        ends_at=pinned + dt.timedelta(hours=2),
    )
    response = coordinator_client.post(
        reverse("warmline:shift-edit", args=[shift.pk]),
        {"starts_at": local(shift.starts_at), "ends_at": local(pinned, hours=3)},
    )
    assert response.status_code == 302, response.context["form"].errors
    shift.refresh_from_db()
    assert shift.ends_at == pinned + dt.timedelta(hours=3)

"""The week and month boards at the edges of the calendar: New Year, DST weeks, bad links."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse

from tests.warmline.factories import ShiftFactory

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def _shift(line, *local):
    start = dt.datetime(*local, tzinfo=NY)
    return ShiftFactory(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=2))


def _board_days(client, **params):
    response = client.get(reverse("warmline:board"), params)
    assert response.status_code == 200
    # The board passes its seven days as HTML, from Monday on: a heading, then the rows.
    monday = response.context["monday"]
    days = str(response.context["days"]).split('<h2 class="h5 mt-3">')[1:]
    for i, html in enumerate(days):  # each heading names its day
        day = monday + dt.timedelta(days=i)
        assert html.startswith(f"{day:%A} {day.day} {day:%B}</h2>"), html[:40]
    return {
        monday + dt.timedelta(days=i): [
            int(pk) for pk in re.findall(r'<li class="[^"]*" id="shift-(\d+)">', html)
        ]
        for i, html in enumerate(days)
    }


@pytest.mark.clock("2026-12-30T17:00:00Z")
def test_the_week_across_new_year_runs_monday_to_sunday(staff_client, line):
    sunday_night = _shift(line, 2027, 1, 3, 22, 30)
    next_monday = _shift(line, 2027, 1, 4, 0, 30)
    last_monday = _shift(line, 2026, 12, 28, 9)
    days = _board_days(staff_client, week="2027-01-01")
    assert list(days) == [dt.date(2026, 12, 28) + dt.timedelta(days=i) for i in range(7)]
    assert days[dt.date(2027, 1, 3)] == [sunday_night.pk]
    assert days[dt.date(2026, 12, 28)] == [last_monday.pk]
    assert next_monday.pk not in sum(days.values(), [])


@pytest.mark.parametrize(
    ("week", "early", "late"),
    [
        # Spring forward on Sunday 14 March: a 167-hour week.
        ("2027-03-10", (2027, 3, 8, 0, 0), (2027, 3, 14, 23, 0)),
        # Fall back on Sunday 7 November: a 169-hour week.
        ("2027-11-03", (2027, 11, 1, 0, 0), (2027, 11, 7, 23, 0)),
    ],
)
@pytest.mark.clock("2027-03-01T15:00:00Z")
def test_a_dst_week_shows_its_first_and_last_local_hours(staff_client, line, week, early, late):
    first, last = _shift(line, *early), _shift(line, *late)
    days = _board_days(staff_client, week=week)
    assert days[dt.date(*early[:3])] == [first.pk]
    assert days[dt.date(*late[:3])] == [last.pk]


@pytest.mark.clock("2027-03-01T15:00:00Z")
def test_the_doubled_hour_puts_both_shifts_on_the_same_local_day(staff_client, line):
    edt = ShiftFactory(line=line, starts_at=dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC))
    est = ShiftFactory(line=line, starts_at=dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC))
    days = _board_days(staff_client, week="2027-11-07")
    assert days[dt.date(2027, 11, 7)] == [edt.pk, est.pk]


@pytest.mark.clock("2027-01-01T04:30:00Z")  # 23:30 on New Year's Eve in New York
def test_without_a_week_the_board_shows_the_organizations_week(staff_client, line):
    days = _board_days(staff_client)
    assert dt.date(2026, 12, 31) in days and dt.date(2027, 1, 1) in days
    assert min(days) == dt.date(2026, 12, 28)


@pytest.mark.parametrize(
    "value", ["9999-12-31", "0001-01-01", "2027-02-30", "not-a-date", "2027-13-01", "1900-01-01"]
)
@pytest.mark.clock("2027-06-16T15:00:00Z")
def test_an_impossible_or_far_away_week_shows_this_week(staff_client, line, value):
    days = _board_days(staff_client, week=value)
    assert min(days) == dt.date(2027, 6, 14)


@pytest.mark.parametrize("value", ["9999-12", "0001-01", "2027-13", "2027", "x-y", "1900-02"])
@pytest.mark.clock("2027-06-16T15:00:00Z")
def test_an_impossible_or_far_away_month_shows_this_month(staff_client, line, value):
    response = staff_client.get(reverse("warmline:board-month"), {"month": value})
    assert response.status_code == 200
    assert response.context["first"] == dt.date(2027, 6, 1)


@pytest.mark.clock("2028-02-29T12:00:00Z")
def test_the_month_board_of_a_leap_february_has_its_29th(staff_client, line):
    leap = _shift(line, 2028, 2, 29, 10)
    response = staff_client.get(reverse("warmline:board-month"), {"month": "2028-02"})
    days = {day: shifts for week in response.context["weeks"] for day, shifts in week}
    assert [s.pk for s in days[dt.date(2028, 2, 29)]] == [leap.pk]
    assert response.context["next"] == dt.date(2028, 3, 1)
    assert response.context["prev"] == dt.date(2028, 1, 1)

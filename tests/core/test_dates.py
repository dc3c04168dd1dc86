"""Calendar pages take any date from a link and never fail on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerportal.core.dates import month_neighbours, navigable, parse_day, parse_month, week_start

TODAY = dt.date(2028, 2, 29)


def test_a_day_within_ten_years_is_kept_and_others_fall_back_to_today():
    assert navigable(dt.date(2037, 2, 28), TODAY) == dt.date(2037, 2, 28)
    assert navigable(dt.date(2038, 3, 2), TODAY) == TODAY
    assert navigable(dt.date(2018, 3, 1), TODAY) == dt.date(2018, 3, 1)
    assert navigable(dt.date(1900, 1, 1), TODAY) == TODAY
    assert navigable(None, TODAY) == TODAY


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2028-03-01", dt.date(2028, 3, 1)),
        ("2027-02-29", TODAY),  # no such day
        ("9999-12-31", TODAY),
        ("0001-01-01", TODAY),
        ("", TODAY),
        (None, TODAY),
        ("yesterday", TODAY),
    ],
)
def test_parse_day(value, day):
    assert parse_day(value, TODAY) == day


@pytest.mark.parametrize(
    ("year", "month", "first"),
    [
        ("2027", "12", dt.date(2027, 12, 1)),
        ("2027", "13", dt.date(2028, 2, 1)),
        ("9999", "12", dt.date(2028, 2, 1)),
        ("0", "1", dt.date(2028, 2, 1)),
        (None, "3", dt.date(2028, 2, 1)),
        ("2027", "x", dt.date(2028, 2, 1)),
    ],
)
def test_parse_month(year, month, first):
    assert parse_month(year, month, TODAY) == first


def test_weeks_and_months_across_new_year():
    assert week_start(dt.date(2027, 1, 1)) == dt.date(2026, 12, 28)
    assert month_neighbours(dt.date(2027, 1, 1)) == (dt.date(2026, 12, 1), dt.date(2027, 2, 1))
    assert month_neighbours(dt.date(2026, 12, 1)) == (dt.date(2026, 11, 1), dt.date(2027, 1, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("dropin:calendar-month", {"year": "9999", "month": "12"}),
        ("dropin:calendar-month", {"year": "1", "month": "1"}),
        ("dropin:calendar-month", {"year": "2027", "month": "13"}),
        ("dropin:calendar-week", {"start": "9999-12-31"}),
        ("dropin:calendar-week", {"start": "0001-01-01"}),
        ("dropin:calendar-week", {"start": "2027-02-30"}),
    ],
)
@pytest.mark.clock("2027-01-01T04:30:00Z")
def test_public_calendars_answer_any_link_with_a_page(anonymous_client, name, params):
    assert anonymous_client.get(reverse(name), params).status_code == 200

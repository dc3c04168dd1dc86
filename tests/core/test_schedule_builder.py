"""The schedule builder's rules (core.recurrence.Schedule): built by code, parsed strictly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from peerportal.core.recurrence import (
    LAST,
    MONTHLY,
    WEEKLY,
    Schedule,
    occurrence_dates,
    summary,
)

TU, TH, FR = 1, 3, 4


def dates(schedule, first, last, **kwargs):
    return occurrence_dates(schedule, first_date=first, last_date=last, **kwargs)


def test_weekly_on_tuesday_and_thursday():
    got = dates(Schedule(WEEKLY, weekdays=(TH, TU)), dt.date(2027, 1, 4), dt.date(2027, 1, 17))
    assert got == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 7),
        dt.date(2027, 1, 12),
        dt.date(2027, 1, 14),
    ]


def test_every_other_week_counts_from_the_first_date():
    got = dates(
        Schedule(WEEKLY, weekdays=(TU,), interval=2), dt.date(2027, 1, 5), dt.date(2027, 2, 28)
    )
    assert got == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 19),
        dt.date(2027, 2, 2),
        dt.date(2027, 2, 16),
    ]


def test_second_tuesday_of_every_month():
    got = dates(Schedule(MONTHLY, ordinal=2, weekday=TU), dt.date(2027, 1, 1), dt.date(2027, 4, 30))
    assert got == [
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
        dt.date(2027, 3, 9),
        dt.date(2027, 4, 13),
    ]


def test_last_friday_of_every_month_including_a_leap_february():
    got = dates(
        Schedule(MONTHLY, ordinal=LAST, weekday=FR), dt.date(2028, 1, 1), dt.date(2028, 3, 31)
    )
    # 2028 is a leap year; its 29 February is a Tuesday, so the last Friday is the 25th.
    assert got == [dt.date(2028, 1, 28), dt.date(2028, 2, 25), dt.date(2028, 3, 31)]


def test_last_friday_can_be_29_february():
    got = dates(
        Schedule(MONTHLY, ordinal=LAST, weekday=FR), dt.date(2036, 2, 1), dt.date(2036, 3, 1)
    )
    assert got == [dt.date(2036, 2, 29)]


def test_29_february_is_an_ordinary_occurrence_and_can_be_skipped():
    tuesdays = Schedule(WEEKLY, weekdays=(TU,))  # 29 Feb 2028 is a Tuesday
    got = dates(tuesdays, dt.date(2028, 2, 20), dt.date(2028, 3, 10))
    assert got == [dt.date(2028, 2, 22), dt.date(2028, 2, 29), dt.date(2028, 3, 7)]
    skipped = dates(
        tuesdays, dt.date(2028, 2, 20), dt.date(2028, 3, 10), skipped=[dt.date(2028, 2, 29)]
    )
    assert dt.date(2028, 2, 29) not in skipped and len(skipped) == 2


def test_a_group_starting_on_29_february_repeats_weekly_not_yearly():
    got = dates(Schedule(WEEKLY, weekdays=(TU,)), dt.date(2028, 2, 29), dt.date(2028, 3, 14))
    assert got == [dt.date(2028, 2, 29), dt.date(2028, 3, 7), dt.date(2028, 3, 14)]


def test_skipped_dates_and_the_last_date_end_the_list():
    got = dates(
        Schedule(WEEKLY, weekdays=(TU,)),
        dt.date(2027, 2, 1),
        dt.date(2027, 12, 31),
        until=dt.date(2027, 3, 2),
        skipped=[dt.date(2027, 2, 23)],
    )
    assert got == [
        dt.date(2027, 2, 2),
        dt.date(2027, 2, 9),
        dt.date(2027, 2, 16),
        dt.date(2027, 3, 2),
    ]


def test_expansion_is_bounded():
    daily = Schedule(WEEKLY, weekdays=tuple(range(7)))
    assert len(dates(daily, dt.date(2027, 1, 1), dt.date(2099, 1, 1))) == 400
    assert len(dates(daily, dt.date(2027, 1, 1), dt.date(2099, 1, 1), limit=10)) == 10


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule(WEEKLY, weekdays=(TU,)),
        Schedule(WEEKLY, weekdays=(0, 2, 4), interval=2),
        Schedule(WEEKLY, weekdays=(6,), interval=4),
        Schedule(MONTHLY, ordinal=2, weekday=TU),
        Schedule(MONTHLY, ordinal=LAST, weekday=FR),
    ],
)
def test_rules_round_trip(schedule):
    assert Schedule.from_rule(schedule.to_rule()) == schedule


def test_demo_rules_stay_valid():
    assert Schedule.from_rule("FREQ=WEEKLY;BYDAY=TU") == Schedule(WEEKLY, weekdays=(TU,))


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "EVERY TUESDAY",  # used to be "not enough values to unpack"
        "FREQ=MINUTELY",
        "FREQ=MINUTELY;BYDAY=TU",
        "FREQ=DAILY",
        "FREQ=HOURLY;BYDAY=MO",
        "FREQ=YEARLY;BYDAY=MO",
        "FREQ=WEEKLY",  # no day
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=TU;INTERVAL=5",
        "FREQ=WEEKLY;BYDAY=TU;INTERVAL=0",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=99999",
        "FREQ=MONTHLY;BYDAY=5TU",
        "FREQ=MONTHLY;BYDAY=TU",
        "FREQ=MONTHLY;BYDAY=2TU;INTERVAL=3",
        "FREQ=MONTHLY;BYMONTHDAY=31",
    ],
)
def test_anything_the_builder_does_not_make_is_refused_with_a_clear_message(rule):
    with pytest.raises(ValidationError) as exc:
        Schedule.from_rule(rule)
    assert "schedule builder" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeat": WEEKLY, "weekdays": ()}, "Choose at least one day"),
        ({"repeat": WEEKLY, "weekdays": (7,)}, "Choose at least one day"),
        ({"repeat": WEEKLY, "weekdays": (1,), "interval": 5}, "every 1 to 4 weeks"),
        ({"repeat": MONTHLY, "ordinal": 5, "weekday": 1}, "which weekday of the month"),
        ({"repeat": "minutely"}, "weekly or monthly"),
    ],
)
def test_impossible_builder_choices_are_refused(kwargs, message):
    with pytest.raises(ValidationError) as exc:
        Schedule(**kwargs)
    assert message in exc.value.messages[0]


def test_summary_reads_like_a_person_wrote_it():
    text = summary(
        Schedule(WEEKLY, weekdays=(TU,), interval=2),
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
        first_date=dt.date(2027, 1, 5),
        until=dt.date(2027, 6, 30),
        skipped=[dt.date(2027, 2, 23)],
    )
    assert (
        text
        == "Every other Tuesday, 18:00–19:30, from 5 Jan 2027 to 30 Jun 2027, except 23 Feb 2027"
    )


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Schedule(WEEKLY, weekdays=(TU, TH)), "Every Tuesday and Thursday"),
        (Schedule(WEEKLY, weekdays=(0, 2, 4)), "Every Monday, Wednesday and Friday"),
        (Schedule(WEEKLY, weekdays=(TU,), interval=3), "Every 3 weeks on Tuesday"),
        (Schedule(MONTHLY, ordinal=2, weekday=TU), "The 2nd Tuesday of every month"),
        (Schedule(MONTHLY, ordinal=LAST, weekday=FR), "The last Friday of every month"),
    ],
)
def test_describe(schedule, text):
    assert schedule.describe() == text


def test_summary_in_spanish():
    with translation.override("es"):
        text = Schedule(MONTHLY, ordinal=2, weekday=TU).describe()
    assert "martes" in text.lower()

"""Dates that come from a URL (?week=, ?month=, ?start=) for calendar pages.

A calendar page may be asked for any date; it shows one within ``NAVIGABLE`` of today and
falls back to today otherwise. Ten years covers every plausible look back (reports, old
shifts) and forward (published schedules run at most two years ahead), and keeps
``date ± a month`` far from ``date.min``/``date.max`` (year 1 or 9999 would overflow).
Malformed or impossible dates (``2027-02-30``) fall back the same way: a bad link shows
today's page, never an error.
"""

from __future__ import annotations

import datetime as dt

NAVIGABLE = dt.timedelta(days=3653)  # ten years, leap days included


def navigable(day: dt.date | None, today: dt.date) -> dt.date:
    """``day`` if a calendar may show it, else ``today``."""
    if day is None or abs(day - today) > NAVIGABLE:
        return today
    return day


def parse_day(value: str | None, today: dt.date) -> dt.date:
    """A ``YYYY-MM-DD`` query value, or today when it is missing, malformed or out of range."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        day = None
    return navigable(day, today)


def parse_month(year: str | None, month: str | None, today: dt.date) -> dt.date:
    """The first day of a month given as year and month numbers, or of today's month."""
    try:
        first = dt.date(int(year), int(month), 1) if year and month else None
    except (TypeError, ValueError, OverflowError):
        first = None
    return navigable(first, today.replace(day=1)).replace(day=1)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (ISO weeks run Monday to Sunday, across New Year too)."""
    return day - dt.timedelta(days=day.weekday())


def month_neighbours(first: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the months before and after the month starting on ``first``."""
    return (first - dt.timedelta(days=1)).replace(day=1), (first + dt.timedelta(days=32)).replace(
        day=1
    )

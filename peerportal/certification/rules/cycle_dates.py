"""Cycle arithmetic: months added, fixed and anniversary expiry dates, the cycles from issue."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (negative: back), on the same day of the month or the
    month's last day when it has fewer (31 January + 1 month = 28 or 29 February): what
    ``day + relativedelta(months=months)`` gives, in plain arithmetic (the rules add months
    for every cycle of every certification a page shows, and relativedelta is ≈ 20 Python
    calls an addition)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = _MONTH_DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return dt.date(year, month, day.day if day.day <= last else last)


def _fixed_date(ctype, year: int) -> dt.date:
    """The fixed expiry day in ``year``; a day the month lacks (29 February in a common
    year, 31 April) falls on the month's last day."""
    last = calendar.monthrange(year, ctype.fixed_month)[1]
    return dt.date(year, ctype.fixed_month, min(ctype.fixed_day, last))


def _parity_ok(ctype, year: int) -> bool:
    return ctype.fixed_year_parity == "any" or (year % 2 == 1) == (ctype.fixed_year_parity == "odd")


def next_cycle_end(ctype, start: dt.date) -> dt.date:
    """The expiry date of the cycle that starts on ``start``."""
    if ctype.cycle_kind == "fixed":
        year = start.year
        while True:
            candidate = _fixed_date(ctype, year)
            if candidate > start and _parity_ok(ctype, year):
                return candidate
            year += 1
    return add_months(start, ctype.cycle_months)


@dataclass
class Cycle:
    start: dt.date
    end: dt.date  # the expiry date (first day no longer valid)


def cycles(ctype, issued_on: dt.date, until: dt.date, limit: int = 100, first_end=None):
    """The cycles from ``issued_on`` (or a printed first expiry) until one ends after ``until``.

    Anniversary cycles are counted from their anchor, not from the previous end, so a
    credential issued on 29 February expires on 28 February in common years and on
    29 February again in leap years, instead of drifting to the 28th for good.
    """
    start = issued_on
    for step in range(limit):
        if step == 0 and first_end:
            end = first_end
        elif ctype.cycle_kind == "fixed":
            end = next_cycle_end(ctype, start)
        else:
            anchor, count = (first_end, step) if first_end else (issued_on, step + 1)
            end = add_months(anchor, ctype.cycle_months * count)
        yield Cycle(start, end)
        if end > until:
            return
        start = end

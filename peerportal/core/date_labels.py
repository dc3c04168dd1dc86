"""Short date labels for long lists, the same text as the ``|date`` filter.

``{{ value|date:"D j M" }}`` parses its format and looks up the translated day and month
names once per value; a report of a year by day does that 365 times. ``DateLabels`` looks
the names up once (in the active language) and builds the same strings.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR


class DateLabels:
    """Make one per request (the names follow the language active when it is made)."""

    def __init__(self) -> None:
        self.days = [str(WEEKDAYS_ABBR[i]) for i in range(7)]
        self.months = {m: str(MONTHS_3[m]).title() for m in range(1, 13)}
        self.tz = timezone.get_current_timezone()

    def day(self, value: dt.date) -> str:
        """``|date:"D j M"`` of a date: "Fri 20 Nov"."""
        return f"{self.days[value.weekday()]} {value.day} {self.months[value.month]}"

    def local(self, value: dt.datetime) -> dt.datetime:
        """An aware datetime in the current time zone, as ``|date`` shows it."""
        return value.astimezone(self.tz)

    def day_time(self, value: dt.datetime) -> str:
        """``|date:"D j M, H:i"`` of an aware datetime: "Fri 20 Nov, 18:30"."""
        local = value.astimezone(self.tz)
        return f"{self.day(local)}, {local:%H:%M}"

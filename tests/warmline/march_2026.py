"""The warm-line week several test modules build on: Wednesday 11 March 2026, 10:00 in New
York (EDT since 8 March), and shifts placed by local day and hour in that month."""

from __future__ import annotations

import contextlib
import datetime as dt

import time_machine
from django.utils import translation

from .factories import ShiftFactory

NOW = dt.datetime(2026, 3, 11, 14, 0, tzinfo=dt.UTC)
WEEK = "2026-03-09"


@contextlib.contextmanager
def pinned():
    """The clock stopped at ``NOW``, in English (service messages are compared with the
    English pages)."""
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(day: int, hour: int) -> dt.datetime:
    """A UTC instant for a local (New York, EDT = UTC-4) time in March 2026."""
    return dt.datetime(2026, 3, day, hour + 4, 0, tzinfo=dt.UTC)


def shift_on(line, day, hour, hours, **extra):
    start = at(day, hour)
    return ShiftFactory(
        line=line, starts_at=start, ends_at=start + dt.timedelta(hours=hours), **extra
    )

"""Awkward instants to pin the clock at (time-machine), for tests of date bounds.

Each is given in the organization's zone, America/New_York, where the tests put it:
local midnight on 29 February, the spring-forward night, Monday midnight, and the
autumn fall-back hour.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

AWKWARD_INSTANTS = {
    "leap-day-midnight": dt.datetime(2028, 2, 29, 0, 0, tzinfo=NEW_YORK),
    "spring-forward": dt.datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK),
    "monday-midnight": dt.datetime(2026, 11, 23, 0, 0, tzinfo=NEW_YORK),
    "fall-back": dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1),
}


@pytest.fixture(params=list(AWKWARD_INSTANTS), ids=list(AWKWARD_INSTANTS))
def pinned(request, db):
    """The clock stopped at an awkward instant, the organization in New York; yields it."""
    from peerportal.core.models import Organization

    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    instant = AWKWARD_INSTANTS[request.param]
    with time_machine.travel(instant, tick=False):
        yield instant.astimezone(dt.UTC)

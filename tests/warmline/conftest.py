from __future__ import annotations

import pytest

from peerportal.core.models import Organization

from .factories import ShiftFactory, WarmLineFactory


@pytest.fixture
def new_york(db):
    """The organization's time zone, explicitly (DST and week tests depend on it)."""
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    return org.tzinfo


@pytest.fixture
def line(staff, supervisor):
    """A line whose program has the staff persona and the supervisor (not other_staff)."""
    return WarmLineFactory(name="Harbor Test Line", members=[staff, supervisor])


@pytest.fixture
def shift(line):
    return ShiftFactory(line=line)

from __future__ import annotations

import pytest

from peerportal.core.models import Organization
from tests.factories import LocationFactory

from .factories import EventFactory


@pytest.fixture
def new_york(db):
    """The organization's time zone, explicitly (DST tests depend on it)."""
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    return org.tzinfo


@pytest.fixture
def location(db):
    return LocationFactory(name="Harbor Test Center", address="1 Invented Way")


@pytest.fixture
def event(location):
    return EventFactory(location=location, title="Open art studio", capacity=2)

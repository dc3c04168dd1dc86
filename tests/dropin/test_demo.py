from __future__ import annotations

import pytest

from peerportal.core.demo import seed_core, seed_people
from peerportal.dropin import demo
from peerportal.dropin.models import RSVP, Event, EventSeries, VisitTally

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_uses_the_demo_center():
    seed_core()
    people = seed_people()
    demo.seed(people=people, scale="small", stdout=None)
    counts = (
        Event.objects.count(),
        EventSeries.objects.count(),
        RSVP.objects.count(),
        VisitTally.objects.count(),
    )
    assert all(counts)
    assert set(Event.objects.values_list("location__name", flat=True)) == {demo.CENTER_NAME}
    demo.seed(people=people, scale="small", stdout=None)
    assert counts == (
        Event.objects.count(),
        EventSeries.objects.count(),
        RSVP.objects.count(),
        VisitTally.objects.count(),
    )


def test_demo_seed_skips_quietly_without_the_center():
    demo.seed(people={}, scale="small", stdout=None)
    assert not Event.objects.exists()

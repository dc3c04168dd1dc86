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


def test_demo_pages_render_for_staff_and_coordinators(persona_clients):
    from django.urls import reverse

    from peerportal.core.models import Location

    seed_core()
    demo.seed(people=seed_people(), scale="small", stdout=None)
    center = Location.objects.get(name=demo.CENTER_NAME)
    event = Event.objects.filter(rsvp_enabled=True).first()
    pages = [
        reverse("dropin:event-list"),
        reverse("dropin:calendar-month"),
        reverse("dropin:calendar-week"),
        reverse("dropin:event-detail", args=[event.pk]),
        reverse("dropin:location-feed", args=[center.pk]),
        reverse("core:location-detail", args=[center.pk]),
        reverse("dropin:rsvp-list"),
    ]
    for persona, client in persona_clients.items():
        for url in pages:
            assert client.get(url).status_code == 200, (persona, url)
    staff_pages = [
        reverse("dropin:tally-list"),
        reverse("dropin:tally-counter", args=[center.pk]),
        reverse("reports:dropin:overview"),
    ]
    coordinator = persona_clients["coordinator"]
    for url in staff_pages:
        assert coordinator.get(url).status_code == 200, url
    report = coordinator.get(reverse("reports:dropin:overview")).content.decode()
    assert "Past: cooking on a budget" in report

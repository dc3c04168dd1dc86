"""RSVP capacity under concurrency: real threads against PostgreSQL row locks.

Checked by hand: with ``select_for_update()`` removed from ``rsvp_create`` this test fails
(more RSVPs than seats); with the lock it passes.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.db.models import QuerySet

from peerportal.dropin import services
from peerportal.dropin.exceptions import EventFull
from peerportal.dropin.models import RSVP, RSVPQuerySet
from tests.factories import LocationFactory, UserFactory

from .factories import EventFactory

SEATS = 3
PEOPLE = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_never_exceed_capacity(monkeypatch):
    event = EventFactory(location=LocationFactory(), capacity=SEATS)
    members = [UserFactory() for _ in range(PEOPLE)]

    # Widen the window between "count the seats" and "insert the RSVP" so that a missing
    # lock shows up every time instead of now and then.
    def slow_count(self):
        n = QuerySet.count(self)
        time.sleep(0.05)
        return n

    monkeypatch.setattr(RSVPQuerySet, "count", slow_count)

    barrier = threading.Barrier(PEOPLE)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(member):
        try:
            barrier.wait()
            services.rsvp_create(event=event, member=member)
            result = "ok"
        except EventFull:
            result = "full"
        except Exception as exc:  # noqa: BLE001 — reported below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["full"] * (PEOPLE - SEATS) + ["ok"] * SEATS, outcomes
    assert RSVP.objects.active().filter(event=event).count() == SEATS

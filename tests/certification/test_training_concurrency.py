"""Closing a training's attendance twice at the same moment: real threads, PostgreSQL locks.

Checked by hand: with ``select_for_update()`` removed from ``training_event_close`` this
test fails (both closes see an open training; the second trips the unique (training,
person) backstop and the facilitator would see an error); with the lock it passes — the
second close waits, then finds the training closed and does nothing.
"""

from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.db import connection

from peerportal.certification import services
from peerportal.certification.models import TrainingCredit, TrainingRecord
from peerportal.certification.services import training as training_services
from tests.factories import CoordinatorFactory, StaffFactory, SupervisorFactory

from .training_helpers import NOON, make_training

CLOSERS = 4
ATTENDEES = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_closes_produce_the_records_exactly_once(monkeypatch):
    traveller = time_machine.travel(NOON, tick=False)
    traveller.start()
    try:
        coordinator, facilitator = CoordinatorFactory(), SupervisorFactory()
        event = make_training(coordinator, facilitator)
        people = [StaffFactory() for _ in range(ATTENDEES)]
        for person in people:
            services.training_attendee_add(actor=facilitator, event=event, person=person)

        # Widen the window between "is it still open?" and "insert the credits" so a
        # missing lock shows up every time instead of now and then.
        real_today = training_services._today

        def slow_today():
            day = real_today()
            time.sleep(0.1)
            return day

        monkeypatch.setattr(training_services, "_today", slow_today)

        barrier = threading.Barrier(CLOSERS)
        outcomes: list[str] = []
        guard = threading.Lock()

        def close(actor):
            try:
                barrier.wait()
                result = f"credited {services.training_event_close(actor=actor, event=event)}"
            except Exception as exc:  # noqa: BLE001 — reported below
                result = f"error: {exc!r}"
            finally:
                connection.close()
            with guard:
                outcomes.append(result)

        actors = [facilitator, coordinator] * (CLOSERS // 2)
        threads = [threading.Thread(target=close, args=(a,)) for a in actors]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        traveller.stop()

    assert sorted(outcomes) == ["credited 0"] * (CLOSERS - 1) + [f"credited {ATTENDEES}"], outcomes
    assert TrainingCredit.objects.filter(event=event).count() == ATTENDEES
    assert TrainingRecord.objects.filter(credit__event=event).count() == ATTENDEES * 2

"""Two (or more) dispatchers at once: real threads against PostgreSQL row locks.

Checked by hand: with ``select_for_update(skip_locked=True)`` removed from
``dispatch.claim_due`` this test fails (the same rows are claimed by several dispatchers);
with the lock it passes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from peerportal.reminders import dispatch
from peerportal.reminders.models import Reminder, ReminderQuerySet, ReminderStatus
from tests.factories import LocationFactory, UserFactory

from .factories import ReminderFactory

DISPATCHERS = 4
REMINDERS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_send_each_reminder_exactly_once(monkeypatch, mailbox, settings):
    settings.REMINDER_DISPATCH_BATCH = 15
    place = LocationFactory()
    people = [UserFactory() for _ in range(REMINDERS)]
    rows = [ReminderFactory(target=place, recipient=p) for p in people]

    # Widen the window between "select the due rows" and "mark them sending", so that a
    # missing lock shows up every time instead of now and then.
    original_update = ReminderQuerySet.update

    def slow_update(self, **kwargs):
        if kwargs.get("status") == ReminderStatus.SENDING:
            time.sleep(0.2)
        return original_update(self, **kwargs)

    monkeypatch.setattr(ReminderQuerySet, "update", slow_update)

    barrier = threading.Barrier(DISPATCHERS)
    claimed: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            n = dispatch.dispatch_due()
            with lock:
                claimed.append(n)
        except Exception as exc:  # noqa: BLE001 — reported below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(DISPATCHERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(claimed) == REMINDERS, f"rows claimed more than once: {claimed}"

    dispatch.dispatch_due()  # nothing left over
    per_message = Counter(m.extra_headers["Message-ID"] for m in mailbox)
    assert len(per_message) == REMINDERS
    assert set(per_message.values()) == {1}
    assert set(
        Reminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    ) == {ReminderStatus.SENT}

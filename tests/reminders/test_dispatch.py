"""Claiming and dispatching due reminders: each sent once, stale claims reclaimed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerportal.reminders import dispatch
from peerportal.reminders.models import Reminder, ReminderStatus

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db


def _message_ids(outbox):
    return [m.extra_headers["Message-ID"] for m in outbox]


def test_running_the_dispatch_twice_sends_each_reminder_exactly_once(place, mailbox):
    reminders = ReminderFactory.create_batch(5, target=place)
    assert dispatch.dispatch_due() == 5
    assert dispatch.dispatch_due() == 0
    assert len(mailbox) == 5
    assert len(set(_message_ids(mailbox))) == 5
    for reminder in reminders:
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.SENT
        assert reminder.sent_at is not None


def test_reminders_not_yet_due_are_left_pending(place, mailbox):
    later = ReminderFactory(target=place, due_at=timezone.now() + dt.timedelta(hours=1))
    assert dispatch.dispatch_due() == 0
    later.refresh_from_db()
    assert later.status == ReminderStatus.PENDING and not mailbox


def test_cancelled_sent_and_failed_reminders_are_not_claimed(place, mailbox):
    for status in (ReminderStatus.CANCELLED, ReminderStatus.SENT, ReminderStatus.FAILED):
        ReminderFactory(target=place, status=status)
    assert dispatch.dispatch_due() == 0
    assert not mailbox


def test_a_deferred_reminder_waits_for_its_not_before_time(place, mailbox):
    deferred = ReminderFactory(target=place, not_before=timezone.now() + dt.timedelta(hours=1))
    assert dispatch.dispatch_due() == 0
    assert dispatch.dispatch_due(now=timezone.now() + dt.timedelta(hours=2)) == 1
    deferred.refresh_from_db()
    assert deferred.status == ReminderStatus.SENT


def test_claiming_marks_rows_sending_with_the_claim_time(place):
    reminder = ReminderFactory(target=place)
    now = timezone.now()
    assert dispatch.claim_due(now=now) == [reminder.pk]
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING and reminder.claimed_at == now
    assert dispatch.claim_due(now=now) == []


def test_claiming_takes_at_most_one_batch_oldest_first(place):
    now = timezone.now()
    rows = [ReminderFactory(target=place, due_at=now - dt.timedelta(minutes=m)) for m in range(5)]
    claimed = dispatch.claim_due(now=now, limit=2)
    assert claimed == [rows[4].pk, rows[3].pk]


def test_the_conditional_claim_is_used_where_skip_locked_is_missing(place, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    reminder = ReminderFactory(target=place)
    assert dispatch.claim_due() == [reminder.pk]
    assert dispatch.claim_due() == []
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING


def test_a_stale_claim_is_reclaimed_and_sent(place, mailbox, settings):
    settings.REMINDER_CLAIM_TIMEOUT = 600
    now = timezone.now()
    reminder = ReminderFactory(
        target=place,
        status=ReminderStatus.SENDING,
        claimed_at=now - dt.timedelta(minutes=11),
        send_started_at=now - dt.timedelta(minutes=11),
    )
    assert dispatch.dispatch_due(now=now) == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and len(mailbox) == 1


def test_a_recent_claim_is_left_to_its_worker(place, mailbox, settings):
    settings.REMINDER_CLAIM_TIMEOUT = dt.timedelta(minutes=10)
    reminder = ReminderFactory(
        target=place,
        status=ReminderStatus.SENDING,
        claimed_at=timezone.now() - dt.timedelta(minutes=9),
    )
    assert dispatch.dispatch_due() == 0
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING and not mailbox


def test_claims_that_cannot_be_published_go_back_to_pending(place, monkeypatch, mailbox):
    from peerportal.reminders import tasks

    rows = ReminderFactory.create_batch(3, target=place)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(tasks.send_reminders, "apply_async", broker_down)
    assert dispatch.dispatch_due() == 0
    assert set(
        Reminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    ) == {ReminderStatus.PENDING}
    monkeypatch.undo()
    assert dispatch.dispatch_due() == 3 and len(mailbox) == 3


def test_the_dispatch_task_carries_on_when_a_batch_is_full(place, mailbox, settings):
    from peerportal.reminders.tasks import dispatch_due_reminders

    settings.REMINDER_DISPATCH_BATCH = 2
    ReminderFactory.create_batch(5, target=place)
    dispatch_due_reminders.apply()
    assert len(mailbox) == 5
    assert not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()


def test_the_beat_schedule_scans_every_minute_without_long_etas():
    from peerportal.celery import build_beat_schedule

    entry = build_beat_schedule()["reminders-dispatch-due"]
    assert entry["task"] == "reminders.dispatch_due"
    assert entry["schedule"] == 60.0
    assert "eta" not in entry.get("options", {}) and "countdown" not in entry.get("options", {})

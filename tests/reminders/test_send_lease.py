"""Batches over one SMTP connection, and the send lease: rows are handed out again only when
their sender died, never because they waited in the queue (a backlog longer than the claim
timeout sends each reminder once)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from peerportal.reminders import dispatch
from peerportal.reminders.models import Reminder, ReminderStatus
from peerportal.reminders.sending import reminders_send_batch

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the sender catches it."""


class CountingBackend(LocmemBackend):
    """Locmem email that counts connections opened, can move the clock per message, and can
    die after a number of messages."""

    opened = 0
    die_after: int | None = None
    traveller = None
    step = dt.timedelta(0)

    def open(self):
        if getattr(self, "_is_open", False):
            return False
        self._is_open = True
        type(self).opened += 1
        return True

    def close(self):
        self._is_open = False

    def send_messages(self, messages):
        cls = type(self)
        if cls.die_after is not None and len(mail.outbox) >= cls.die_after:
            raise Killed
        sent = super().send_messages(messages)
        if cls.traveller is not None:
            cls.traveller.shift(cls.step)
        return sent


@pytest.fixture
def counting(settings, mailbox):
    settings.EMAIL_BACKEND = "tests.reminders.test_send_lease.CountingBackend"
    CountingBackend.opened = 0
    CountingBackend.die_after = None
    CountingBackend.traveller = None
    CountingBackend.step = dt.timedelta(0)
    yield CountingBackend
    CountingBackend.traveller = None


def _message_ids(outbox):
    return [m.extra_headers["Message-ID"] for m in outbox]


def _claim_all(now):
    return dispatch.claim_due(now=now, limit=1000)


def test_a_batch_goes_over_one_smtp_connection(place, counting):
    with time_machine.travel(START, tick=False):
        ReminderFactory.create_batch(12, target=place)
        ids = _claim_all(timezone.now())
        outcomes = reminders_send_batch(reminder_ids=ids)
    assert set(outcomes.values()) == {"sent"}
    assert counting.opened == 1
    assert len(mail.outbox) == 12
    assert Reminder.objects.filter(status=ReminderStatus.SENT, lease_token=None).count() == 12


def test_a_batch_loads_its_rows_in_a_few_queries(place, counting, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        from peerportal.core.models import Organization

        Organization.get()  # created once, then cached
        ReminderFactory.create_batch(20, target=place)
        ids = _claim_all(timezone.now())
        # lease, rows + recipients, preferences, the locations (the kind loads a batch at
        # once), then "mark sent" per message.
        with django_assert_max_num_queries(4 + 20):
            reminders_send_batch(reminder_ids=ids)
    assert len(mail.outbox) == 20


def test_a_kind_without_a_batch_loader_loads_each_context(
    place, counting, django_assert_max_num_queries
):
    from .kinds import URGENT

    with time_machine.travel(START, tick=False):
        from peerportal.core.models import Organization

        Organization.get()
        rows = ReminderFactory.create_batch(5, target=place, kind=URGENT)
        ids = _claim_all(timezone.now())
        with django_assert_max_num_queries(3 + 2 * 5):
            outcomes = reminders_send_batch(reminder_ids=ids)
    assert outcomes == {r.pk: "sent" for r in rows}


def test_a_row_waiting_in_the_queue_longer_than_the_claim_timeout_is_sent_once(
    place, counting, settings
):
    """The measured duplicate: a live sender's row was handed out again by claim age."""
    settings.REMINDER_CLAIM_TIMEOUT = 600
    settings.REMINDER_SEND_LEASE = 300
    with time_machine.travel(START, tick=False) as traveller:
        rows = ReminderFactory.create_batch(4, target=place)
        ids = _claim_all(timezone.now())
        # The backlog: the batch's task starts 15 minutes after the claim, and sending
        # takes 10 more minutes (the clock moves 2.5 minutes per message).
        traveller.shift(dt.timedelta(minutes=15))
        counting.traveller, counting.step = traveller, dt.timedelta(minutes=2, seconds=30)

        # A beat scan runs while the sender works: it must not take the sender's rows.
        original = CountingBackend.send_messages

        def scan_while_sending(self, messages):
            sent = original(self, messages)
            dispatch.dispatch_due(now=timezone.now())
            return sent

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CountingBackend, "send_messages", scan_while_sending)
            reminders_send_batch(reminder_ids=ids)
        counting.traveller = None
        traveller.shift(dt.timedelta(hours=1))
        dispatch.dispatch_due(now=timezone.now())

    assert sorted(_message_ids(mail.outbox)) == sorted(
        f"<reminder.{r.pk}.{int(r.created_at.timestamp())}@127.0.0.1>" for r in rows
    )  # each once
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_an_untaken_claim_handed_out_again_is_still_sent_once(place, counting, settings):
    """A task message lost (or only late): the claim is handed out again after the claim
    timeout; when the late task and the new one both run, one message goes out."""
    settings.REMINDER_CLAIM_TIMEOUT = 600
    with time_machine.travel(START, tick=False) as traveller:
        reminder = ReminderFactory(target=place)
        first_claim = _claim_all(timezone.now())
        traveller.shift(dt.timedelta(minutes=11))
        assert dispatch.reclaim_stale(now=timezone.now()) == 1
        second_claim = _claim_all(timezone.now())
        assert first_claim == second_claim == [reminder.pk]
        assert reminders_send_batch(reminder_ids=second_claim) == {reminder.pk: "sent"}
        assert reminders_send_batch(reminder_ids=first_claim) == {reminder.pk: "skipped"}
    assert len(mail.outbox) == 1


def test_a_sender_that_died_mid_batch_loses_nothing_and_resends_nothing_marked_sent(
    place, counting, settings
):
    settings.REMINDER_SEND_LEASE = 120
    with time_machine.travel(START, tick=False) as traveller:
        rows = ReminderFactory.create_batch(6, target=place)
        ids = _claim_all(timezone.now())
        counting.die_after = 2
        with pytest.raises(Killed):
            reminders_send_batch(reminder_ids=ids)
        counting.die_after = None
        assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 2
        held = Reminder.objects.filter(status=ReminderStatus.SENDING)
        assert held.count() == 4 and not held.filter(lease_token=None).exists()

        # While the lease runs, nobody takes the dead sender's rows.
        traveller.shift(dt.timedelta(seconds=119))
        assert dispatch.reclaim_stale(now=timezone.now()) == 0
        # Once it has run out, they go back to pending and are sent.
        traveller.shift(dt.timedelta(seconds=2))
        assert dispatch.dispatch_due(now=timezone.now()) == 4

    assert sorted(_message_ids(mail.outbox)) == sorted(
        f"<reminder.{r.pk}.{int(r.created_at.timestamp())}@127.0.0.1>" for r in rows
    )
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_the_queue_holds_at_most_one_batch_of_claims(place, settings):
    settings.REMINDER_DISPATCH_BATCH = 5
    with time_machine.travel(START, tick=False):
        ReminderFactory.create_batch(12, target=place)
        first = dispatch.claim_due(now=timezone.now(), limit=3)
        published = []
        from peerportal.reminders import tasks

        original = tasks.send_reminders.apply_async
        tasks.send_reminders.apply_async = lambda args, **kw: published.append(args[0])
        try:
            # Three are waiting already: room for two more.
            assert dispatch.dispatch_due(now=timezone.now()) == 2
            assert dispatch.dispatch_due(now=timezone.now()) == 0
        finally:
            tasks.send_reminders.apply_async = original
    assert len(first) == 3 and sum(len(p) for p in published) == 2
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 7


def test_claims_are_published_in_chunks(place, settings, monkeypatch):
    from peerportal.reminders import tasks

    settings.REMINDER_SEND_CHUNK = 4
    published = []
    monkeypatch.setattr(
        tasks.send_reminders, "apply_async", lambda args, **kw: published.append(args[0])
    )
    ReminderFactory.create_batch(10, target=place)
    assert dispatch.dispatch_due() == 10
    assert [len(chunk) for chunk in published] == [4, 4, 2]


def test_each_row_is_marked_sent_before_the_next_message_goes_out(place, counting):
    """The at-least-once window is one message wide: a kill re-sends at most the message
    the server had just accepted."""
    seen = []
    original = CountingBackend.send_messages

    def look_then_send(self, messages):
        seen.append(
            dict(Reminder.objects.values_list("pk", "status")),
        )
        return original(self, messages)

    with time_machine.travel(START, tick=False):
        rows = ReminderFactory.create_batch(3, target=place)
        ids = _claim_all(timezone.now())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CountingBackend, "send_messages", look_then_send)
            reminders_send_batch(reminder_ids=ids)
    order = sorted(rows, key=lambda r: (r.due_at, r.pk))
    for index, statuses in enumerate(seen):
        assert [statuses[r.pk] for r in order[:index]] == [ReminderStatus.SENT] * index
        assert [statuses[r.pk] for r in order[index:]] == [ReminderStatus.SENDING] * (3 - index)
    done = Reminder.objects.get(pk=order[0].pk)
    assert done.sent_at == START and done.lease_token is None and done.lease_expires_at is None


def test_a_row_another_sender_holds_is_not_marked_sent_by_this_one(place, counting, caplog):
    """The "sent" UPDATE is conditional on this sender's lease, as every other update is."""
    import uuid

    other = uuid.uuid4()
    original = CountingBackend.send_messages

    def lease_taken_meanwhile(self, messages):
        Reminder.objects.filter(pk=reminder.pk).update(lease_token=other)
        return original(self, messages)

    with time_machine.travel(START, tick=False):
        reminder = ReminderFactory(target=place)
        ids = _claim_all(timezone.now())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CountingBackend, "send_messages", lease_taken_meanwhile)
            reminders_send_batch(reminder_ids=ids)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING and reminder.lease_token == other
    assert reminder.sent_at is None
    assert f"#{reminder.pk} lost its lease" in caplog.text
    assert reminder.recipient.email not in caplog.text

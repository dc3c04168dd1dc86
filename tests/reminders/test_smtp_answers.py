"""Over SMTP a reminder's row is marked sent only once the server has answered 250 for its
message: a message the server refuses is retried, and a worker that dies waiting for the
answer leaves its row to be sent again (the same Message-ID).

Why not mark the row as soon as the end of the data is written, before the answer? It was
tried. It closes the window in which a dying worker sends a message twice, but only with a
server that keeps a whole message even when its client is gone before the answer. A server
that drops such a message loses the reminder instead: aiosmtpd cancels its handler when the
client goes, and the SMTP case of ``test_worker_integration.py`` lost 2 reminders that way.
A duplicate with the same Message-ID is the lesser fault.

Against a real SMTP server on 127.0.0.1 (aiosmtpd) and Django's SMTP backend."""

from __future__ import annotations

import datetime as dt
import email
import smtplib
import time

import pytest
from django.utils import timezone

from peerportal.reminders import dispatch
from peerportal.reminders.models import Reminder, ReminderStatus
from peerportal.reminders.sending import message_id, reminder_send, reminders_send_batch

from .factories import ReminderFactory
from .smtp_server import smtp_server as running_smtp_server

pytestmark = pytest.mark.django_db


class Server:
    """aiosmtpd handler: keeps each message's Message-ID and answers the end of its data
    with ``answer``."""

    def __init__(self):
        self.answer = "250 OK"
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd API
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.received.append(message["Message-ID"])
        return self.answer

    def wait_for(self, count: int) -> list[str]:
        deadline = time.monotonic() + 10
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received


@pytest.fixture
def smtp_server(settings):
    handler = Server()
    with running_smtp_server(handler) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield handler


def _claimed(place, minutes_ago: int = 1) -> Reminder:
    now = timezone.now()
    return ReminderFactory(
        target=place,
        status=ReminderStatus.SENDING,
        claimed_at=now,
        due_at=now - dt.timedelta(minutes=minutes_ago),
    )


def _status(reminder: Reminder) -> str:
    return Reminder.objects.values_list("status", flat=True).get(pk=reminder.pk)


def test_the_row_is_marked_sent_after_the_server_accepts_the_message(
    place, smtp_server, monkeypatch
):
    reminder = _claimed(place)
    answers: list[tuple[int, str]] = []
    read_answer = smtplib.SMTP.getreply

    def getreply(self):
        code, text = read_answer(self)
        answers.append((code, _status(reminder)))  # the row as the answer is read
        return code, text

    monkeypatch.setattr(smtplib.SMTP, "getreply", getreply)

    assert reminder_send(reminder_id=reminder.pk) == "sent"

    # 354 invites the data; the 250 that accepts it is read with the row still sending.
    start = answers.index((354, ReminderStatus.SENDING))
    assert answers[start + 1] == (250, ReminderStatus.SENDING)
    assert _status(reminder) == ReminderStatus.SENT
    assert smtp_server.wait_for(1) == [message_id(reminder)]


class WorkerKilled(BaseException):
    """Stands for the worker's death: not an Exception, so no handler of the sender's
    catches it (SIGKILL leaves no handler a chance either)."""


def test_a_worker_that_dies_waiting_for_the_answer_leaves_the_row_to_be_sent_again(
    place, smtp_server, monkeypatch
):
    first, second = _claimed(place, minutes_ago=2), _claimed(place)
    write, read_answer = smtplib.SMTP.send, smtplib.SMTP.getreply
    data_written = []

    def send(self, data):
        write(self, data)
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            data_written.append(True)

    def getreply(self):
        if data_written:  # the first message is with the server; its answer is never read
            raise WorkerKilled
        return read_answer(self)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    monkeypatch.setattr(smtplib.SMTP, "getreply", getreply)
    with pytest.raises(WorkerKilled):
        reminders_send_batch(reminder_ids=[first.pk, second.pk])
    monkeypatch.undo()  # the next worker's connection answers as usual

    assert smtp_server.wait_for(1) == [message_id(first)]  # the server has it
    # Neither row is marked: both are the dead sender's until its lease runs out, then
    # handed out again and sent.
    assert _status(first) == _status(second) == ReminderStatus.SENDING
    assert dispatch.reclaim_stale(now=timezone.now()) == 0  # the lease still holds
    assert dispatch.reclaim_stale(now=timezone.now() + dt.timedelta(hours=1)) == 2
    Reminder.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=ReminderStatus.SENDING, claimed_at=timezone.now()
    )
    assert reminders_send_batch(reminder_ids=[first.pk, second.pk]) == {
        first.pk: "sent",
        second.pk: "sent",
    }
    # The first went twice, with the same Message-ID: a receiver that drops repeated ids
    # delivers it once. Nothing is lost.
    assert sorted(smtp_server.wait_for(3)) == sorted(
        [message_id(first), message_id(first), message_id(second)]
    )


def test_a_message_the_server_refuses_at_the_end_of_its_data_is_retried(place, smtp_server):
    smtp_server.answer = "554 5.6.0 Refused"
    reminder = _claimed(place)

    assert reminder_send(reminder_id=reminder.pk) == "retry"

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.sent_at is None and reminder.lease_token is None
    assert (reminder.attempts, reminder.last_error) == (1, "SMTPDataError:554")
    assert reminder.not_before > timezone.now()

    # The next attempt, answered 250, is sent and marked.
    smtp_server.answer = "250 OK"
    Reminder.objects.filter(pk=reminder.pk).update(
        status=ReminderStatus.SENDING, claimed_at=timezone.now(), not_before=None
    )
    assert reminder_send(reminder_id=reminder.pk) == "sent"
    assert _status(reminder) == ReminderStatus.SENT
    assert len(smtp_server.wait_for(2)) == 2


def test_a_refusal_after_the_first_message_leaves_the_first_sent(place, smtp_server):
    """One connection, two messages: the first stays sent when the second is refused."""
    first, second = _claimed(place, minutes_ago=2), _claimed(place)
    answers = iter(["250 OK", "554 5.6.0 Refused"])

    async def handle_DATA(server, session, envelope):  # noqa: N802 — aiosmtpd API
        smtp_server.received.append("one")
        return next(answers)

    smtp_server.handle_DATA = handle_DATA
    outcomes = reminders_send_batch(reminder_ids=[first.pk, second.pk])

    assert outcomes == {first.pk: "sent", second.pk: "retry"}
    assert _status(first) == ReminderStatus.SENT
    assert _status(second) == ReminderStatus.PENDING

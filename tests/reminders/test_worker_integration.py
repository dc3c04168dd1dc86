"""A real Celery worker against Redis and PostgreSQL, killed mid-batch: no reminder lost,
nothing marked sent is sent again.

The worker runs ``tests.reminders.worker_settings`` (the real settings plus the test kinds,
a 3-second send lease and claim timeout and a private queue), against the pytest-django
test database, sending either to files or over SMTP to a local sink (aiosmtpd). It is
SIGKILLed while sending, restarted, and dispatch is triggered until every reminder is
sent: the rows the dead worker held come back once its lease has run out. Everything is
bounded by a deadline and every subprocess is killed on the way out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from peerportal.reminders.models import Reminder, ReminderStatus
from tests.clock import clock_env
from tests.factories import LocationFactory, UserFactory

from .factories import ReminderFactory
from .smtp_server import smtp_server

BASE = Path(__file__).resolve().parents[2]
REMINDERS = 60
DEADLINE = 60  # seconds for the whole scenario
CONCURRENCY = 2

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs Redis (CELERY_BROKER_URL)"),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.proc = env, log, None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 — fixed arguments
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "peerportal",
                "worker",
                "-Q",
                self.env["REMINDER_TEST_QUEUE"],
                "-c",
                str(CONCURRENCY),
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=BASE,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill parent and children
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=10)


def _messages(folder: Path) -> Counter:
    ids = Counter()
    for path in folder.glob("*.eml"):
        ids[email.message_from_bytes(path.read_bytes())["Message-ID"]] += 1
    return ids


class SlowSink:
    """aiosmtpd handler: counts messages by Message-ID, a little slowly (to kill mid-batch)."""

    def __init__(self):
        self.ids: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd API
        import asyncio

        await asyncio.sleep(0.05)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.ids[message["Message-ID"]] += 1
        return "250 OK"


@pytest.fixture(params=["file", "smtp"])
def outlet(request, tmp_path):
    """Where the worker's mail goes, and how to read back what arrived."""
    if request.param == "file":
        mail_dir = tmp_path / "mail"
        mail_dir.mkdir()
        yield (
            {"REMINDER_TEST_EMAIL_DIR": str(mail_dir), "REMINDER_TEST_SEND_DELAY": "0.1"},
            lambda: _messages(mail_dir),
        )
        return
    sink = SlowSink()
    with smtp_server(sink) as port:
        yield (
            {"REMINDER_TEST_SMTP_PORT": str(port), "REMINDER_TEST_EMAIL_DIR": str(tmp_path)},
            lambda: Counter(sink.ids),
        )


@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_mid_batch_loses_no_reminder(tmp_path, outlet):
    from celery import Celery

    place = LocationFactory()
    person = UserFactory()
    now = timezone.now()
    rows = [
        ReminderFactory(target=place, recipient=person, due_at=now - dt.timedelta(seconds=i))
        for i in range(REMINDERS)
    ]
    outlet_env, delivered_messages = outlet
    queue = f"reminders-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        **clock_env(),
        "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
        "SECRET_KEY": "integration-test-only-secret-key-0123456789abcdefghijklmnop",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER,
        "REMINDER_TEST_QUEUE": queue,
        **outlet_env,
        "REMINDER_CLAIM_TIMEOUT": "3",
        "REMINDER_SEND_LEASE": "3",
        "REMINDER_SEND_CHUNK": "10",
        "PYTHONPATH": str(BASE),
    }
    client = Celery("reminders-integration-test", broker=BROKER)
    client.conf.broker_connection_timeout = 2

    def trigger_dispatch():
        client.send_task("reminders.dispatch_due", queue=queue)

    def sent() -> int:
        return Reminder.objects.filter(status=ReminderStatus.SENT).count()

    first = Worker(env, tmp_path / "worker1.log")
    second = Worker(env, tmp_path / "worker2.log")
    deadline = time.monotonic() + DEADLINE
    try:
        first.start()
        trigger_dispatch()
        while sent() < 10:
            assert time.monotonic() < deadline, (tmp_path / "worker1.log").read_text()[-3000:]
            time.sleep(0.1)
        first.kill()  # SIGKILL mid-batch: some rows are claimed, some held by a sender
        in_flight = Reminder.objects.filter(status=ReminderStatus.SENDING).count()
        assert in_flight > 0, "the worker was not killed mid-batch"
        marked_sent_before_the_kill = set(
            Reminder.objects.filter(status=ReminderStatus.SENT).values_list("pk", flat=True)
        )

        second.start()
        last_trigger = 0.0
        while sent() < REMINDERS:
            assert time.monotonic() < deadline, (
                f"{sent()} of {REMINDERS} sent; " + (tmp_path / "worker2.log").read_text()[-3000:]
            )
            if time.monotonic() - last_trigger > 2:  # what beat does every minute
                trigger_dispatch()
                last_trigger = time.monotonic()
            time.sleep(0.2)
    finally:
        first.kill()
        second.kill()
        try:
            with client.connection_for_write() as conn:
                redis = conn.default_channel.client
                redis.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        except Exception:  # noqa: BLE001, S110 — best-effort cleanup of the private queue
            pass

    statuses = Counter(
        Reminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    )
    assert statuses == {ReminderStatus.SENT: REMINDERS}
    delivered = delivered_messages()
    expected = {f"<reminder.{r.pk}.{int(r.created_at.timestamp())}@127.0.0.1>" for r in rows}
    assert expected <= set(delivered), f"lost: {sorted(expected - set(delivered))}"
    # Nothing marked sent before the kill went out again.
    for r in rows:
        if r.pk in marked_sent_before_the_kill:
            assert delivered[f"<reminder.{r.pk}.{int(r.created_at.timestamp())}@127.0.0.1>"] == 1
    # At-least-once only in the instant between SMTP and "mark sent" of the killed sends.
    duplicates = sum(n - 1 for n in delivered.values())
    assert duplicates <= CONCURRENCY

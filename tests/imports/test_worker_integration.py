"""A 10,000-row import through a real Celery worker, Redis and PostgreSQL.

The test stores the upload (private storage shared with the worker), the web side only
queues tasks by job id, and the worker checks and then applies the file. The request side
never waits: the test polls the job row like the page does. Bounded by a deadline; the
worker is killed on the way out and its private queue deleted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from peerportal.accounts.models import User
from peerportal.core.models import AuditEvent
from peerportal.imports import services
from peerportal.imports.models import ImportJob, JobStatus
from tests.factories import CoordinatorFactory
from tests.reminders.test_worker_integration import _database_url

from .conftest import csv_bytes, upload

BASE = Path(__file__).resolve().parents[2]
ROWS = 10_000
DEADLINE = 240  # seconds for check and apply together, on a busy two-core machine
BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs Redis (CELERY_BROKER_URL)"),
]


@pytest.fixture
def pinned_clock():
    """The worker runs on the real clock; so does this test (no dates are checked)."""
    yield


def _wait_for(job_id: int, statuses: set, deadline: float, log: Path) -> ImportJob:
    while True:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        assert time.monotonic() < deadline, f"job is {job.status}; " + log.read_text()[-3000:]
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_a_10000_row_import_completes_through_the_worker(tmp_path, monkeypatch):
    from celery import Celery

    coordinator = CoordinatorFactory()
    queue = f"imports-test-{uuid.uuid4().hex[:12]}"
    client = Celery("imports-integration-test", broker=BROKER)
    client.conf.broker_connection_timeout = 2

    def enqueue(task, job_id):
        transaction.on_commit(lambda: client.send_task(task.name, args=[job_id], queue=queue))

    monkeypatch.setattr(services, "_enqueue", enqueue)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.imports.worker_settings",
        "SECRET_KEY": "integration-test-only-secret-key-0123456789abcdefghijklmnop",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER,
        "IMPORT_TEST_QUEUE": queue,
        "PRIVATE_MEDIA_ROOT": str(settings.STORAGES["private"]["OPTIONS"]["location"]),
        "PYTHONPATH": str(BASE),
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(  # noqa: S603 — fixed arguments
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "peerportal",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=BASE,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    header = ["email", "display_name", "role", "language", "time_zone"]
    rows = [[f"import{i}@example.test", f"Peer {i}", "member", "en", ""] for i in range(ROWS)]
    deadline = time.monotonic() + DEADLINE
    try:
        started = time.monotonic()
        job = services.import_job_create(
            actor=coordinator,
            kind="people",
            file_format="csv",
            upload=upload(csv_bytes(header, rows)),
        )
        assert time.monotonic() - started < 10  # the request side only stores and queues
        job = _wait_for(job.pk, {JobStatus.CHECKED, JobStatus.FAILED}, deadline, log)
        assert job.status == JobStatus.CHECKED, job.report.get("file_errors")
        assert job.counts["create"] == ROWS
        assert not User.objects.filter(email__startswith="import").exists()

        services.import_job_confirm(actor=coordinator, job=job)
        job = _wait_for(job.pk, {JobStatus.DONE, JobStatus.FAILED}, deadline, log)
        assert job.status == JobStatus.DONE, job.report.get("file_errors")
    finally:
        if worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        try:
            with client.connection_for_write() as conn:
                redis = conn.default_channel.client
                redis.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        except Exception:  # noqa: BLE001, S110 — best-effort cleanup of the private queue
            pass

    assert User.objects.filter(email__startswith="import", role="member").count() == ROWS
    assert not User.objects.get(email="import9999@example.test").has_usable_password()
    event = AuditEvent.objects.get(action="import.apply")
    assert event.extra["created"] == ROWS
    assert job.progress == ROWS

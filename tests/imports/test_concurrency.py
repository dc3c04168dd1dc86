"""Two workers given the same confirmed job at once (a redelivered task): applied once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from peerportal.accounts.models import User
from peerportal.core.models import AuditEvent
from peerportal.imports import services
from peerportal.imports.models import ImportJob, JobStatus

from .conftest import checked_job, csv_bytes

pytestmark = pytest.mark.postgres

HEADER = ["email", "display_name", "role", "language", "time_zone"]


@pytest.mark.django_db(transaction=True)
def test_the_same_job_applied_twice_at_once_writes_once(coordinator):
    rows = [[f"race{i}@example.test", f"Race {i}", "member", "", ""] for i in range(300)]
    job = checked_job(coordinator, "people", csv_bytes(HEADER, rows))
    # Confirmed (without queuing a task here): the two threads are the two deliveries.
    ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(status=JobStatus.QUEUED)
    barrier = threading.Barrier(2)
    outcomes = []

    def apply():
        try:
            barrier.wait()
            outcomes.append(services.import_job_apply(job=ImportJob(pk=job.pk)).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes == [JobStatus.DONE, JobStatus.DONE]
    assert User.objects.filter(email__startswith="race").count() == 300
    assert AuditEvent.objects.filter(action="import.apply").count() == 1

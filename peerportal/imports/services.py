"""Import jobs: upload → check (dry run, writes nothing) → confirm → apply (one transaction).

The web request only stores the file (privately, under a random name) and creates the
job; checking and applying run in Celery tasks that take the job id. Progress is written to
the job while checking, and to the cache while applying (the apply transaction's own
writes are invisible to the polling page until it commits).

Jobs whose task never reached a worker (a broker outage) are queued again by
``import_jobs_tidy`` (every few minutes); uploaded files of jobs nobody confirmed are
deleted after ``KEEP_UNCONFIRMED``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.services import user_set_role, users_create_invited
from peerportal.certification.services import (
    certification_issue,
    certification_start_training,
    training_record_import,
)
from peerportal.core.audit import audit_record
from peerportal.core.permissions import is_coordinator
from peerportal.reminders.services import notify

from . import kinds
from .models import FileFormat, ImportJob, ImportKind, JobStatus
from .reading import MAX_BYTES, FileRefused, read_rows

logger = logging.getLogger(__name__)

KIND_INVITATION = "account_invitation"
PROGRESS_EVERY = 200


class ImportRefused(Exception):
    """An import step the rules do not allow."""


def _progress_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


def job_progress(job: ImportJob) -> int:
    """Rows done so far (the cache while applying, the job row otherwise)."""
    if job.status == JobStatus.QUEUED:
        return min(job.total_rows, int(cache.get(_progress_key(job.pk)) or 0))
    return job.progress


def _enqueue(task, job_id: int) -> None:
    """After commit, best effort: a broker outage leaves the job for ``import_job_resume``."""

    def send():
        try:
            task.delay(job_id)
        except Exception as exc:  # noqa: BLE001 — never fail the request on the broker
            logger.warning("imports: could not enqueue job %s (%s)", job_id, type(exc).__name__)

    transaction.on_commit(send)


def import_job_create(
    *, actor, kind: str, file_format: str, upload, send_invitations: bool = False, request=None
) -> ImportJob:
    """Store the upload and queue its dry run. Refuses an oversized file before reading it."""
    if not is_coordinator(actor):
        raise ImportRefused(_("Only coordinators can import."))
    if kind not in ImportKind.values or file_format not in FileFormat.values:
        raise ImportRefused(_("Unknown kind of import or file format."))
    if upload.size > MAX_BYTES:
        raise FileRefused("too_big", {"limit": MAX_BYTES // (1024 * 1024)})
    from .tasks import import_job_check_task

    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            file_format=file_format,
            send_invitations=send_invitations and kind == ImportKind.PEOPLE,
            created_by=actor,
        )
        job.file.save("upload", ContentFile(upload.read()), save=False)
        job.save()
        audit_record(
            actor=actor,
            action="import.upload",
            obj=job,
            request=request,
            extra={"kind": kind, "format": file_format},
        )
        _enqueue(import_job_check_task, job.pk)
    return job


def _read(job: ImportJob):
    with job.file.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return read_rows(data, job.file_format)


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: read and check every row, store the report. Writes nothing else."""
    job = ImportJob.objects.get(pk=job.pk)
    if job.status != JobStatus.CHECKING:
        return job
    try:
        dataset = _read(job)
    except FileRefused as refused:
        return _fail(job, {"file_errors": [{"code": refused.code, "params": refused.params}]})
    job.total_rows = dataset.height
    job.progress = 0
    job.save(update_fields=["total_rows", "progress"])
    result = kinds.check(job.kind, dataset, actor=job.created_by)
    job.report = result.as_report()
    job.progress = job.total_rows
    job.status = JobStatus.CHECKED if result.can_apply else JobStatus.FAILED
    if job.status == JobStatus.FAILED:
        job.finished_at = timezone.now()
        _discard_file(job)
    job.save()
    return job


def _fail(job: ImportJob, report: dict) -> ImportJob:
    job.status = JobStatus.FAILED
    job.report = {**job.report, **report}
    job.finished_at = timezone.now()
    _discard_file(job)
    job.save()
    return job


def _discard_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)


def import_job_confirm(*, actor, job: ImportJob, request=None) -> ImportJob:
    """The coordinator confirms a checked job: it is queued to apply (once)."""
    from .tasks import import_job_apply_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.created_by_id != actor.pk or not is_coordinator(actor):
            raise ImportRefused(_("Only the coordinator who uploaded the file can confirm it."))
        if job.status != JobStatus.CHECKED:
            raise ImportRefused(_("This import is not waiting for confirmation."))
        job.status = JobStatus.QUEUED
        job.save(update_fields=["status"])
        audit_record(actor=actor, action="import.confirm", obj=job, request=request)
        _enqueue(import_job_apply_task, job.pk)
    return job


def import_job_apply(*, job: ImportJob) -> ImportJob:
    """Check again and write every row in one transaction: all or nothing, at most once.

    The job row stays locked for the whole transaction and only ever shows QUEUED or DONE
    to others: a task delivered twice waits for the first and then finds it done, and a
    worker killed mid-way rolls everything back, so the redelivered task starts afresh.
    """
    cache.set(_progress_key(job.pk), 0, timeout=3600)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.status != JobStatus.QUEUED:
                return job  # applied already, or never confirmed
            dataset = _read(job)
            result = kinds.check(job.kind, dataset, actor=job.created_by)
            if not result.can_apply:
                # The portal changed since the dry run; nothing is written.
                raise _Changed(result)
            _apply_rows(job, result)
            job.report = result.as_report()
            job.status = JobStatus.DONE
            job.progress = job.total_rows = len(result.rows)
            job.finished_at = timezone.now()
            job.save()
            counts = result.counts
            audit_record(
                actor=job.created_by,
                action="import.apply",
                obj=job,
                extra={
                    "kind": job.kind,
                    "created": counts["create"],
                    "updated": counts["update"],
                    "invitations": job.send_invitations,
                },
            )
        _discard_file(job)
    except _Changed as changed:
        return _fail(ImportJob.objects.get(pk=job.pk), changed.result.as_report())
    except FileRefused as refused:
        job = ImportJob.objects.get(pk=job.pk)
        return _fail(job, {"file_errors": [{"code": refused.code, "params": refused.params}]})
    except Exception as exc:  # noqa: BLE001 — recorded on the job; all was rolled back
        # The exception's text may quote a row (an email): the log gets its type only.
        logger.error("imports: job %s failed while applying (%s)", job.pk, type(exc).__name__)
        job = ImportJob.objects.get(pk=job.pk)
        return _fail(job, {"file_errors": [{"code": "apply_failed", "params": {}}]})
    finally:
        cache.delete(_progress_key(job.pk))
    return job


class _Changed(Exception):
    def __init__(self, result):
        super().__init__("changed since the dry run")
        self.result = result


def _apply_rows(job: ImportJob, result: kinds.CheckResult) -> None:
    actor = job.created_by
    if job.kind == ImportKind.PEOPLE:
        _create_people(job, [row for row in result.rows if row.action == "create"], actor)
    for done, row in enumerate(result.rows, start=1):
        if row.action in ("create", "update"):
            _apply_one(job, row, actor)
        if job.send_invitations and row.action != "create" and row.apply_args.get("invite"):
            user = row.apply_args["user"]
            notify(kind=KIND_INVITATION, target=user, recipient=user)
        if done % PROGRESS_EVERY == 0:
            cache.set(_progress_key(job.pk), done, timeout=3600)


def _create_people(job: ImportJob, rows: list, actor) -> None:
    """New people in batches (an import may bring 10,000), then their invitations if asked."""
    for start in range(0, len(rows), PROGRESS_EVERY):
        batch = rows[start : start + PROGRESS_EVERY]
        users = users_create_invited(actor=actor, people=[row.apply_args for row in batch])
        if job.send_invitations:
            for user in users:
                notify(kind=KIND_INVITATION, target=user, recipient=user)
        cache.set(_progress_key(job.pk), start + len(batch), timeout=3600)


def _apply_one(job: ImportJob, row: kinds.RowResult, actor) -> None:
    args = row.apply_args
    if job.kind == ImportKind.PEOPLE:
        if row.action == "update":
            user = args["user"]
            user_set_role(
                actor=actor,
                user=user,
                role=args["role"],
                supervisor=user.supervisor if user.supervisor_id else None,
            )
    elif job.kind == ImportKind.CREDENTIALS:
        if args["issued_on"]:
            certification_issue(
                actor=actor,
                holder=args["holder"],
                credential_type=args["credential_type"],
                issued_on=args["issued_on"],
                number=args["number"] or "",
                expires_on=args["expires_on"],
            )
        else:
            certification_start_training(
                actor=actor, holder=args["holder"], credential_type=args["credential_type"]
            )
    else:
        training_record_import(actor=actor, **args)


KEEP_UNCONFIRMED = dt.timedelta(days=2)
RESUME_AFTER = dt.timedelta(minutes=5)


def import_jobs_tidy(*, now: dt.datetime | None = None) -> dict:
    """Queue again jobs stuck before a worker (safe: each step runs at most once), and
    delete the files of checked jobs nobody confirmed within ``KEEP_UNCONFIRMED``."""
    from .tasks import import_job_apply_task, import_job_check_task

    now = now or timezone.now()
    resumed = 0
    stuck = ImportJob.objects.filter(
        status__in=(JobStatus.CHECKING, JobStatus.QUEUED), created_at__lt=now - RESUME_AFTER
    )
    for job in stuck:
        task = import_job_check_task if job.status == JobStatus.CHECKING else import_job_apply_task
        _enqueue(task, job.pk)
        resumed += 1
    expired = 0
    for job in ImportJob.objects.filter(
        status=JobStatus.CHECKED, created_at__lt=now - KEEP_UNCONFIRMED
    ):
        _fail(job, {"file_errors": [{"code": "expired", "params": {}}]})
        expired += 1
    # A file left behind by a process that stopped between commit and clean-up.
    for job in ImportJob.objects.filter(status__in=(JobStatus.DONE, JobStatus.FAILED)).exclude(
        file=""
    ):
        _discard_file(job)
        job.save(update_fields=["file"])
    return {"resumed": resumed, "expired": expired}

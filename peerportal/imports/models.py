"""An import job: the uploaded file (private), its dry-run report and its progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    CREDENTIALS = "credentials", _("Credentials held")
    TRAINING = "training", _("Training records")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class JobStatus(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Checked: waiting for your confirmation")
    QUEUED = "queued", _("Confirmed: importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


ACTIVE_STATUSES = (JobStatus.CHECKING, JobStatus.QUEUED)


def private_storage():
    return storages["private"]


def upload_path(instance, filename: str) -> str:
    # A random name: the coordinator's file name never reaches the file system.
    return f"imports/{uuid.uuid4().hex}.{instance.file_format}"


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    file = models.FileField(upload_to=upload_path, storage=private_storage, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.CHECKING
    )
    send_invitations = models.BooleanField(_("send invitations"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0)
    # {"file_errors": [...], "rows": [...], "counts": {...}} — see imports.spec.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import job")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=models.F("total_rows")) | Q(total_rows=0),
                name="imports_progress_within_total",
                violation_error_message=_("Progress cannot pass the number of rows."),
            )
        ]

    def __str__(self) -> str:
        return f"import job #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def counts(self) -> dict:
        return self.report.get("counts", {})

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.progress / self.total_rows))

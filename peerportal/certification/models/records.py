"""Training records with private evidence, and supervisors' append-only reviews of them."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .credentials import CETopic


def private_storage():
    return storages["private"]


def evidence_path(instance, filename: str) -> str:
    # A random name: the person's file name never reaches the file system.
    return f"evidence/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class RecordStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Records their owner may still change: edit (stays or goes back to review) or withdraw.
OWNER_EDITABLE = (RecordStatus.SUBMITTED, RecordStatus.CHANGES_REQUESTED)


class TrainingRecord(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=150)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0.25)]
    )
    topic = models.ForeignKey(
        CETopic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty for elective hours."),
    )
    is_initial_training = models.BooleanField(_("part of initial training"), default=False)
    credit_requested = models.BooleanField(
        _("request credit for an event not on the approved list"),
        default=False,
        help_text=_(
            "Some credentials count only approved providers' events; tick this to ask your "
            "supervisor to approve this one for credit."
        ),
    )
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_path, storage=private_storage, blank=True
    )
    evidence_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    credit = models.ForeignKey(
        "TrainingCredit",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="records",
        help_text="Set when the record was produced from a training's attendance.",
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="cert_record_hours_positive",
                violation_error_message=_("The hours must be more than zero."),
            )
        ]

    def __str__(self) -> str:
        return f"training record #{self.pk}"

    @property
    def owner_can_change(self) -> bool:
        return self.status in OWNER_EDITABLE

    @property
    def status_label(self):
        """``get_status_display()`` for lists: one label translated, not every choice's
        (the generated method hashes each lazy label, translating all five per call)."""
        return RecordStatus(self.status).label


class ReviewDecision(models.TextChoices):
    APPROVE = "approved", _("Approve")
    REQUEST_CHANGES = "changes_requested", _("Request changes")
    REJECT = "rejected", _("Reject")


class ReviewSource(models.TextChoices):
    REVIEW = "review", _("Reviewed by a supervisor")
    ATTENDANCE = "attendance", _("Approved from the training's attendance")


class Review(models.Model):
    """A supervisor's decision on a record. Append-only: decisions are never edited.

    A record produced from a training's attendance carries one approving review whose
    reviewer is the person who closed the attendance (``source=attendance``).
    """

    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=ReviewSource.choices, default=ReviewSource.REVIEW
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"review #{self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Reviews cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Reviews cannot be deleted.")

    @property
    def outcome_label(self) -> str:
        """The decision in the past tense, as a history reads ("Approved", not "Approve")."""
        return RecordStatus(self.decision).label

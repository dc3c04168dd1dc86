"""Credential rules as data, certifications, training records with private evidence,
supervisor reviews (append-only) and supervision sessions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CycleKind(models.TextChoices):
    ANNIVERSARY = "anniversary", _("Anniversary of issue")
    FIXED = "fixed", _("Fixed calendar date")


class YearParity(models.TextChoices):
    ANY = "any", _("Every year")
    ODD = "odd", _("Odd-numbered years")
    EVEN = "even", _("Even-numbered years")


class CETopic(models.Model):
    """A continuing-education topic (ethics, peer support practice, …)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("CE topic")
        verbose_name_plural = _("CE topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CredentialType(models.Model):
    """A credential's rules, entered as data by coordinators (see DOMAIN.md)."""

    code = models.SlugField(
        _("code"),
        unique=True,
        help_text=_("Used by other parts of the portal, e.g. the warm line."),
    )
    name = models.CharField(_("name"), max_length=150)
    issuing_body = models.CharField(_("issuing body"), max_length=150, blank=True)
    initial_training_hours = models.DecimalField(
        _("initial training hours"), max_digits=6, decimal_places=2, default=0
    )
    exam_required = models.BooleanField(_("exam required"), default=False)
    supervised_hours_required = models.DecimalField(
        _("supervised practice hours"), max_digits=6, decimal_places=2, default=0
    )
    cycle_kind = models.CharField(
        _("renewal cycle"), max_length=12, choices=CycleKind.choices, default=CycleKind.ANNIVERSARY
    )
    cycle_months = models.PositiveSmallIntegerField(
        _("cycle length (months)"), default=24, validators=[MinValueValidator(1)]
    )
    fixed_month = models.PositiveSmallIntegerField(_("fixed expiry month"), null=True, blank=True)
    fixed_day = models.PositiveSmallIntegerField(_("fixed expiry day"), null=True, blank=True)
    fixed_year_parity = models.CharField(
        _("fixed expiry years"), max_length=4, choices=YearParity.choices, default=YearParity.ANY
    )
    ce_hours_per_cycle = models.DecimalField(
        _("continuing-education hours per cycle"), max_digits=6, decimal_places=2, default=0
    )
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=0)
    work_allowed_in_grace = models.BooleanField(
        _("may work during the grace period"), default=False
    )
    expiring_soon_days = models.PositiveSmallIntegerField(
        _("'expiring soon' from (days before)"), default=90
    )
    waive_ce_if_issued_within_months = models.PositiveSmallIntegerField(
        _("CE waived if first issued within (months before renewal)"), null=True, blank=True
    )
    elective_hours_count = models.BooleanField(
        _("hours outside the listed topics count toward the total"),
        default=True,
        help_text=_(
            "Untick when only the listed topics count (list a topic with 0 minimum hours to "
            "let it count without a minimum)."
        ),
    )
    same_course_once_per_cycle = models.BooleanField(
        _("a course counts once per cycle"), default=True
    )
    requires_approved_provider = models.BooleanField(
        _("only approved providers count without a credit request"), default=False
    )
    attestation_required = models.BooleanField(
        _("holders attest each cycle (and may be audited)"), default=False
    )

    class Meta:
        verbose_name = _("credential type")
        verbose_name_plural = _("credential types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cycle_kind="anniversary")
                | Q(fixed_month__gte=1, fixed_month__lte=12, fixed_day__gte=1, fixed_day__lte=31),
                name="cert_fixed_cycle_has_a_date",
                violation_error_message=_(
                    "A credential with a fixed expiry date needs the month and day it expires."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class TopicRequirement(models.Model):
    """At least ``min_hours`` of one topic inside the cycle's total."""

    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.CASCADE, related_name="topic_requirements"
    )
    topic = models.ForeignKey(CETopic, on_delete=models.PROTECT)
    min_hours = models.DecimalField(_("minimum hours"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("topic requirement")
        constraints = [
            models.UniqueConstraint(
                fields=["credential_type", "topic"],
                name="cert_one_requirement_per_topic",
                violation_error_message=_(
                    "This credential already has a requirement for that topic."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.min_hours}"


class ApprovedProvider(models.Model):
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.CASCADE, related_name="approved_providers"
    )
    name = models.CharField(_("provider"), max_length=150)

    class Meta:
        verbose_name = _("approved provider")
        constraints = [
            models.UniqueConstraint(
                fields=["credential_type", "name"],
                name="cert_provider_once",
                violation_error_message=_("This provider is already approved for this credential."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    """A credential a staff member holds or trains toward; status comes from rules + records."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certifications"
    )
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="certifications"
    )
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    issued_on = models.DateField(
        _("issued on"), null=True, blank=True, help_text=_("Empty while in training.")
    )
    expires_on = models.DateField(
        _("expires on (as printed on the certificate)"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to compute it from the credential's cycle. When set, it wins: past it "
            "the holder is in grace, then lapsed, until the renewal is recorded."
        ),
    )
    exam_passed_on = models.DateField(_("exam passed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "credential_type"],
                name="cert_one_per_type_per_person",
                violation_error_message=_("This person already holds this credential."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=False, expires_on__gt=models.F("issued_on")),
                name="cert_expires_after_issue",
                violation_error_message=_("The expiry date must be after the issue date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential_type} #{self.pk}"


class AuditOutcome(models.TextChoices):
    NOT_SELECTED = "not_selected", _("Not selected for audit")
    SELECTED = "selected", _("Selected for audit")
    PASSED = "passed", _("Audit passed")
    FAILED = "failed", _("Audit failed")


class Attestation(models.Model):
    """A holder's statement that their records for one cycle are true and complete.

    Where the credential asks for it, renewal needs the attestation; a coordinator may
    select it for audit and check the evidence (kept with the records). A failed audit
    means the attestation no longer counts.
    """

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="attestations"
    )
    cycle_end = models.DateField(_("cycle ends on"))
    attested_at = models.DateTimeField(auto_now_add=True)
    audit = models.CharField(
        _("audit"), max_length=14, choices=AuditOutcome.choices, default=AuditOutcome.NOT_SELECTED
    )
    audit_comment = models.TextField(_("audit comment"), blank=True)
    audited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attestation")
        ordering = ["-cycle_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "cycle_end"],
                name="cert_one_attestation_per_cycle",
                violation_error_message=_("This cycle has already been attested."),
            )
        ]

    def __str__(self) -> str:
        return f"attestation #{self.pk}"


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


class SupervisionSession(models.Model):
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_received"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_given"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0.25)]
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Seen only by the two of you."))

    class Meta:
        verbose_name = _("supervision session")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="cert_supervision_hours_positive",
                violation_error_message=_("The hours must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~Q(staff=models.F("supervisor")),
                name="cert_no_self_supervision",
                violation_error_message=_("Nobody can log supervision of themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"supervision #{self.pk}"


# Training events the organization runs itself: attendance becomes approved records.
TRAINING_MIN_HOURS = Decimal("0.25")
TRAINING_MAX_HOURS = Decimal("40")


class TrainingEvent(models.Model):
    """A CE training the organization runs for its staff, with hours per topic.

    Staff register (or the facilitator adds them); the facilitator takes attendance and
    closes it; closing gives every attending staff member a ``TrainingCredit`` with one
    approved ``TrainingRecord`` per topic line (see ``services.training_event_close``).
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    provider = models.CharField(_("provider"), max_length=150)
    held_on = models.DateField(_("held on"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="facilitated_trainings",
    )
    closed_at = models.DateTimeField(_("attendance closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                name="cert_training_closed_by_someone",
                violation_error_message=_("A closed training records who closed it."),
            )
        ]

    def __str__(self) -> str:
        return f"training event #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TrainingEventTopic(models.Model):
    """Hours of one CE topic (empty topic: elective hours) that a training gives."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="topic_hours")
    topic = models.ForeignKey(
        CETopic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(TRAINING_MIN_HOURS), MaxValueValidator(TRAINING_MAX_HOURS)],
    )

    class Meta:
        verbose_name = _("training topic hours")
        ordering = ["topic__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "topic"],
                name="cert_training_topic_once",
                violation_error_message=_("Each topic is listed once per training."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=TRAINING_MIN_HOURS, hours__lte=TRAINING_MAX_HOURS),
                name="cert_training_topic_hours_bounded",
                violation_error_message=_("Those hours are out of range for one topic."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic or 'elective'}: {self.hours}"


class TrainingAttendeeQuerySet(models.QuerySet):
    def creditable(self, event, closer):
        """Who closing ``event`` credits: attending staff, never members, never the closer
        (nobody approves their own record)."""
        from peerportal.accounts.models import STAFF_ROLES

        return self.filter(
            event=event, attended=True, person__role__in=STAFF_ROLES, person__is_active=True
        ).exclude(person=closer)


class TrainingAttendee(models.Model):
    """A staff member on a training's roster (registered or added by the facilitator)."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attendance"
    )
    attended = models.BooleanField(_("attended"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingAttendeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("training attendee")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="cert_attendee_once",
                violation_error_message=_("This person is already on the roster."),
            )
        ]

    def __str__(self) -> str:
        return f"attendee #{self.pk}"


class TrainingCredit(models.Model):
    """What closing a training's attendance produced for one person: the certificate of
    attendance, with its approved records. Exactly one per (training, person)."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="credits")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_credits"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training credit")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="cert_one_credit_per_training",
                violation_error_message=_("This person already has credit for this training."),
            )
        ]

    def __str__(self) -> str:
        return f"training credit #{self.pk}"

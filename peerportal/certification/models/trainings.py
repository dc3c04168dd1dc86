"""Training events the organization runs: topic hours, rosters and the credit they give."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .credentials import CETopic

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

"""The outbox: one row per (kind, target, recipient, due time), sent exactly once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ReminderQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReminderStatus.PENDING)

    def due(self, now=None):
        """Pending rows whose time has come (and which are not deferred by quiet hours or
        a retry back-off)."""
        now = now or timezone.now()
        return self.pending().filter(
            models.Q(not_before__isnull=True) | models.Q(not_before__lte=now), due_at__lte=now
        )

    def upcoming(self):
        return self.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.SENDING])

    def for_target(self, target: models.Model):
        return self.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        )


class Reminder(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    # Set when a dispatcher claims the row (pending -> sending). A claim no sender has
    # taken after REMINDER_CLAIM_TIMEOUT (its task message was lost) goes back to pending.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The send lease: taken (compare-and-swap on a null token) by the one send task that
    # hands the message to SMTP, renewed while its batch goes on. A lease that ran out is
    # the evidence that its sender died; only then is the row handed out again.
    send_started_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Deferred by quiet hours or a retry back-off; ``due_at`` keeps the original time
    # (and the row's identity in the unique constraint).
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # An error code only (exception class, SMTP status), never personal data.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id", "recipient", "due_at"],
                name="reminders_one_per_kind_target_recipient_due",
                violation_error_message=_("This reminder is already scheduled."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminders_status_due_idx"),
            models.Index(fields=["target_type", "target_id"], name="reminders_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class NotificationPreference(models.Model):
    """One person's choices. Kinds are registered by other apps, so choices are keyed by
    kind code; anything not chosen falls back to the kind's defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    # Codes of optional kinds the person switched off (new kinds are on by default).
    disabled_kinds = models.JSONField(default=list, blank=True)
    # {kind code: [minutes before, ...]} for kinds whose offsets the person changed.
    offsets = models.JSONField(default=dict, blank=True)
    # Local time in the person's time zone; non-urgent messages wait until the end.
    quiet_hours_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"notification preference #{self.pk}"

    def kind_enabled(self, code: str) -> bool:
        return code not in (self.disabled_kinds or [])

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_hours_start is not None
            and self.quiet_hours_end is not None
            and self.quiet_hours_start != self.quiet_hours_end
        )

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
        return self.pending().filter(due_at__lte=now or timezone.now())

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
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
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
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminders_status_due_idx"),
            models.Index(fields=["target_type", "target_id"], name="reminders_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

"""Supervision sessions: hours a supervisor logs with one staff member."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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

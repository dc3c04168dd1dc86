"""Certifications people hold, and their per-cycle attestations (with the audit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .credentials import CredentialType


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

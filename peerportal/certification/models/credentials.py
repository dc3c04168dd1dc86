"""Credential rules as data: credential types, CE topics, topic minimums, approved providers."""

from __future__ import annotations

from django.core.validators import MinValueValidator
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

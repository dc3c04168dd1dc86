"""Warm lines, shift patterns and shifts, assignments, and the anonymous call log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from peerportal.core.recurrence import validate_rrule


class WarmLine(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    hours_of_operation = models.CharField(_("hours of operation"), max_length=200, blank=True)
    has_phone = models.BooleanField(_("phone"), default=True)
    has_text = models.BooleanField(_("text"), default=False)
    has_chat = models.BooleanField(_("chat"), default=False)
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("maximum hours per person per week"), default=20
    )
    release_cutoff_hours = models.PositiveSmallIntegerField(
        _("release shifts until (hours before)"), default=24
    )
    swaps_need_approval = models.BooleanField(_("swaps need a supervisor's approval"), default=True)
    gap_alert_days = models.PositiveSmallIntegerField(
        _("alert coordinators about short shifts within (days)"), default=3
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program members"),
        blank=True,
        related_name="warm_lines",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warm line")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShiftPattern(models.Model):
    line = models.ForeignKey(WarmLine, on_delete=models.CASCADE, related_name="patterns")
    rrule = models.CharField(
        _("repeats"),
        max_length=200,
        validators=[validate_rrule],
        default="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    )
    first_date = models.DateField(_("first date"))
    start_time = models.TimeField(_("starts (local)"))
    end_time = models.TimeField(
        _("ends (local)"), help_text=_("Earlier than the start means the shift ends the next day.")
    )
    min_staff = models.PositiveSmallIntegerField(_("minimum staff"), default=1)
    max_staff = models.PositiveSmallIntegerField(_("maximum staff"), default=2)
    required_qualification = models.CharField(
        _("required credential (code)"), max_length=50, blank=True
    )
    horizon_weeks = models.PositiveSmallIntegerField(default=6)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("shift pattern")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_staff__gte=F("min_staff")) & Q(min_staff__gte=1),
                name="warmline_pattern_staff_range",
                violation_error_message=_(
                    "A shift needs at least one person, and the maximum cannot be below the minimum."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.start_time:%H:%M}"


class ShiftQuerySet(models.QuerySet):
    def with_coverage(self):
        return self.annotate(
            staffed=Count("assignments", filter=Q(assignments__is_active=True), distinct=True)
        )


class Shift(models.Model):
    line = models.ForeignKey(WarmLine, on_delete=models.CASCADE, related_name="shifts")
    pattern = models.ForeignKey(
        ShiftPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    min_staff = models.PositiveSmallIntegerField(default=1)
    max_staff = models.PositiveSmallIntegerField(default=2)
    required_qualification = models.CharField(max_length=50, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        ordering = ["starts_at", "id"]
        indexes = [
            # Every shift page and report reads a period of shifts (a range of starts_at,
            # of one line or of all); without it each read every shift ever planned.
            models.Index(fields=["starts_at", "id"], name="warmline_shift_starts_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "pattern", "starts_at"],
                name="warmline_one_shift_per_pattern_start",
                violation_error_message=_("This pattern already has a shift at that time."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="warmline_shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.starts_at:%Y-%m-%d %H:%M}"

    def coverage(self, staffed: int) -> str:
        if staffed == 0:
            return "open"
        return "short" if staffed < self.min_staff else "covered"

    @property
    def coverage_status(self) -> str:
        """covered / short / open, from the ``staffed`` annotation (``with_coverage()``)."""
        return self.coverage(self.staffed)


class ShiftAssignment(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_assignments"
    )
    is_active = models.BooleanField(default=True)
    # Filled seats are numbered per shift (1..max staff): a second guard behind the row lock.
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(is_active=True),
                name="warmline_one_active_assignment",
                violation_error_message=_("This person is already on this shift."),
            ),
            models.UniqueConstraint(
                fields=["shift", "slot"],
                condition=Q(is_active=True),
                name="warmline_one_person_per_slot",
                violation_error_message=_("This place on the shift is already taken."),
            ),
        ]

    def __str__(self) -> str:
        return f"assignment #{self.pk}"


class ContactType(models.TextChoices):
    CALL = "call", _("Call")
    TEXT = "text", _("Text")
    CHAT = "chat", _("Chat")


class CallTopic(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("call topic")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("referral")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallRecord(models.Model):
    """One contact. Deliberately no caller identity: no name, number, email or free text."""

    line = models.ForeignKey(WarmLine, on_delete=models.PROTECT, related_name="calls")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_records"
    )
    contact_type = models.CharField(
        _("contact type"), max_length=8, choices=ContactType.choices, default=ContactType.CALL
    )
    started_at = models.DateTimeField(_("started"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    topics = models.ManyToManyField(CallTopic, verbose_name=_("topics"), blank=True)
    referrals = models.ManyToManyField(Referral, verbose_name=_("referrals given"), blank=True)
    follow_up_offered = models.BooleanField(_("follow-up offered"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call record")
        ordering = ["-started_at", "-id"]
        indexes = [
            # The reports read a period of calls (a range of started_at); the call log lists
            # them newest first (this index backwards). Without it both read every call.
            models.Index(fields=["started_at", "id"], name="warmline_call_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=600),
                name="warmline_call_duration_sane",
                violation_error_message=_("A contact lasts between 1 and 240 minutes."),
            )
        ]

    def __str__(self) -> str:
        return f"call #{self.pk}"


class SwapStatus(models.TextChoices):
    OPEN = "open", _("Looking for cover")
    TAKEN = "taken", _("Waiting for approval")
    APPROVED = "approved", _("Covered")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Withdrawn")


class SwapRequest(models.Model):
    """A staff member offers their shift; a qualified colleague takes it; a supervisor approves."""

    assignment = models.ForeignKey(
        ShiftAssignment, on_delete=models.CASCADE, related_name="swap_requests"
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SwapStatus.choices, default=SwapStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("swap request")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["open", "taken"]),
                name="warmline_one_open_swap_per_assignment",
                violation_error_message=_("This shift is already offered for cover."),
            )
        ]

    def __str__(self) -> str:
        return f"swap #{self.pk}"

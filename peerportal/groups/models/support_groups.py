"""Topics and support groups: a group's settings, their bounds and its schedule."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from peerportal.core.recurrence import (
    Occurrence,
    Schedule,
    occurrence_dates,
    summary,
    to_utc,
    validate_schedule_rule,
)


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class GroupFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    YOUTH = "youth", _("Young adults (18–25)")
    ADULTS = "adults", _("Adults")
    OLDER_ADULTS = "older_adults", _("Older adults")
    FAMILY = "family", _("Family and friends")


OFFER_WINDOW_MAX_HOURS = 168
OFFER_LIFETIME_MIN_MINUTES = 15
OFFER_LIFETIME_MAX_MINUTES = 2880
STANDING_MISSED_MAX = 10
STANDING_ANSWER_MAX_DAYS = 30


class SupportGroupQuerySet(models.QuerySet):
    def published(self):
        """Listed, bookable groups: published and not archived."""
        return self.filter(is_published=True, archived_at__isnull=True)

    def active(self):
        return self.filter(archived_at__isnull=True)


# Bounds of a group's settings, checked by the form (with a clear message), the service
# and, where cheap, the database. Why these numbers:
CAPACITY_MAX = 500  # larger than any room or video call a peer group uses
HORIZON_WEEKS_MAX = 26  # half a year of sessions open ahead; the daily task tops it up
SESSION_MIN = dt.timedelta(minutes=15)  # shorter is a typo, not a meeting
SESSION_MAX = dt.timedelta(hours=8)  # a full-day retreat; groups never run overnight
FIRST_DATE_PAST_DAYS = 28  # a new group may record that it started a few weeks ago
FIRST_DATE_FUTURE_DAYS = 731  # about two years: nobody plans a group further ahead
LAST_DATE_FUTURE_DAYS = 3 * 366  # a series may run up to three years from today
SKIPPED_DATES_MAX = 60


class SupportGroup(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"))
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="groups"
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    format = models.CharField(
        _("format"), max_length=12, choices=GroupFormat.choices, default=GroupFormat.IN_PERSON
    )
    location = models.ForeignKey(
        "core.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_groups",
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats per session"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)],
    )
    virtual_link = models.URLField(
        _("meeting link"), blank=True, help_text=_("Shown only to booked members and facilitators.")
    )
    link_visible_minutes = models.PositiveSmallIntegerField(
        _("show the link this many minutes before start"),
        default=30,
        validators=[MaxValueValidator(240)],
    )
    booking_opens_days = models.PositiveSmallIntegerField(
        _("booking opens (days before)"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(182)],
        help_text=_("How far ahead members may book a session."),
    )
    booking_closes_minutes = models.PositiveSmallIntegerField(
        _("booking closes (minutes before)"),
        default=15,
        validators=[MaxValueValidator(24 * 60)],
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancellation cutoff (hours before)"),
        default=2,
        validators=[MaxValueValidator(7 * 24)],
        help_text=_("Members can cancel online until this many hours before the start."),
    )
    # Built by core.recurrence.Schedule from the form's schedule builder; never typed.
    rrule = models.CharField(
        _("repeats"),
        max_length=200,
        default="FREQ=WEEKLY;BYDAY=MO",
        validators=[validate_schedule_rule],
    )
    # Dates of the schedule with no session (holidays), ISO strings, each an occurrence.
    skipped_dates = models.JSONField(_("skipped dates"), default=list, blank=True)
    first_date = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    start_time = models.TimeField(_("starts (local time)"))
    end_time = models.TimeField(_("ends (local time)"))
    horizon_weeks = models.PositiveSmallIntegerField(
        _("sessions planned ahead (weeks)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(HORIZON_WEEKS_MAX)],
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Archived groups leave the directory and get no new sessions; their history stays.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Waitlist offers (see groups/waitlist.py): near the start, a freed seat is offered for
    # a limited time instead of booked outright for someone who may no longer expect it.
    offer_window_hours = models.PositiveSmallIntegerField(
        _("offer instead of booking within (hours before start)"),
        default=24,
        validators=[MaxValueValidator(OFFER_WINDOW_MAX_HOURS)],
        help_text=_(
            "A place that frees up closer to the start than this is offered to the next "
            "person for a limited time. 0: always book the next person at once."
        ),
    )
    offer_lifetime_minutes = models.PositiveSmallIntegerField(
        _("offer valid for (minutes)"),
        default=120,
        validators=[
            MinValueValidator(OFFER_LIFETIME_MIN_MINUTES),
            MaxValueValidator(OFFER_LIFETIME_MAX_MINUTES),
        ],
        help_text=_("Never past the session's start."),
    )
    # Standing places (see groups/standing.py).
    standing_places_allowed = models.BooleanField(_("standing places allowed"), default=False)
    standing_share_percent = models.PositiveSmallIntegerField(
        _("share of seats for standing places (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The rest stay open for people booking one session."),
    )
    standing_missed_limit = models.PositiveSmallIntegerField(
        _("ask after this many missed sessions in a row"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(STANDING_MISSED_MAX)],
    )
    standing_answer_days = models.PositiveSmallIntegerField(
        _("days to answer before the place is released"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(STANDING_ANSWER_MAX_DAYS)],
    )

    objects = SupportGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="groups_capacity_positive",
                violation_error_message=_("Capacity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__lte=CAPACITY_MAX),
                name="groups_capacity_bounded",
                violation_error_message=_("That is more seats than a group may have."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="groups_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(horizon_weeks__gte=1, horizon_weeks__lte=HORIZON_WEEKS_MAX),
                name="groups_horizon_bounded",
                violation_error_message=_("That is not a number of weeks to plan ahead."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("first_date")),
                name="groups_until_after_first",
                violation_error_message=_("The last date must not be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(offer_window_hours__lte=OFFER_WINDOW_MAX_HOURS)
                & Q(offer_lifetime_minutes__gte=OFFER_LIFETIME_MIN_MINUTES)
                & Q(offer_lifetime_minutes__lte=OFFER_LIFETIME_MAX_MINUTES),
                name="groups_offer_bounds",
                violation_error_message=_("Those waitlist offer settings are out of range."),
            ),
            models.CheckConstraint(
                condition=Q(standing_share_percent__gte=1, standing_share_percent__lte=100)
                & Q(standing_missed_limit__gte=1, standing_missed_limit__lte=STANDING_MISSED_MAX)
                & Q(
                    standing_answer_days__gte=1,
                    standing_answer_days__lte=STANDING_ANSWER_MAX_DAYS,
                ),
                name="groups_standing_bounds",
                violation_error_message=_("Those standing place settings are out of range."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.format in (GroupFormat.IN_PERSON, GroupFormat.HYBRID) and not self.location_id:
            errors["location"] = _("In-person and hybrid groups need a location.")
        if self.format in (GroupFormat.VIRTUAL, GroupFormat.HYBRID) and not self.virtual_link:
            errors["virtual_link"] = _("Online and hybrid groups need a meeting link.")
        if self.until and self.first_date and self.until < self.first_date:
            errors["until"] = _("The last date is before the first date.")
        if self.start_time and self.end_time:
            message = session_length_error(self.start_time, self.end_time)
            if message:
                errors["end_time"] = message
        if errors:
            raise ValidationError(errors)

    @property
    def is_virtual(self) -> bool:
        return self.format in (GroupFormat.VIRTUAL, GroupFormat.HYBRID)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def schedule(self) -> Schedule:
        return Schedule.from_rule(self.rrule)

    @property
    def skipped(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(d) for d in self.skipped_dates or [])

    def schedule_summary(self) -> str:
        """ "Every other Tuesday, 18:00–19:30, from 5 Jan 2027…" for people to read."""
        try:
            schedule = self.schedule
        except ValidationError:
            return ""
        return summary(
            schedule,
            start_time=self.start_time,
            end_time=self.end_time,
            first_date=self.first_date,
            until=self.until,
            skipped=self.skipped,
        )

    def planned_occurrences(self, *, tz, window_start: dt.datetime, window_end: dt.datetime):
        """The schedule's occurrences starting in [window_start, window_end): expanded on
        local dates, then given the local start and end time, so 18:00 stays 18:00 over DST."""
        first = max(self.first_date, window_start.astimezone(tz).date())
        last = (window_end.astimezone(tz) + dt.timedelta(days=1)).date()
        out = []
        dates = occurrence_dates(
            self.schedule,
            first_date=self.first_date,
            from_date=first,
            last_date=last,
            until=self.until,
            skipped=self.skipped,
        )
        for day in dates:
            start = to_utc(day, self.start_time, tz)
            if window_start <= start < window_end:
                out.append(
                    Occurrence(start=start, end=to_utc(day, self.end_time, tz), local_date=day)
                )
        return out


def session_length_error(start: dt.time, end: dt.time):
    """The message when a session's times are impossible, else None (no overnight groups)."""
    if end <= start:
        return _("A session must end after it starts (groups don't run overnight).")
    length = dt.datetime.combine(dt.date(2000, 1, 1), end) - dt.datetime.combine(
        dt.date(2000, 1, 1), start
    )
    if length < SESSION_MIN:
        return _("A session lasts at least 15 minutes.")
    if length > SESSION_MAX:
        return _("A session lasts at most 8 hours.")
    return None

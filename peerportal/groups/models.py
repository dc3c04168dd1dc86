"""Support groups, their sessions, and members' bookings (with a waitlist)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.recurrence import expand, validate_rrule


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


class SupportGroupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


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
    capacity = models.PositiveSmallIntegerField(_("seats per session"), default=12)
    virtual_link = models.URLField(
        _("meeting link"), blank=True, help_text=_("Shown only to booked members and facilitators.")
    )
    link_visible_minutes = models.PositiveSmallIntegerField(
        _("show the link this many minutes before start"), default=30
    )
    booking_opens_days = models.PositiveSmallIntegerField(
        _("booking opens (days before)"),
        default=21,
        help_text=_("How far ahead members may book a session."),
    )
    booking_closes_minutes = models.PositiveSmallIntegerField(
        _("booking closes (minutes before)"), default=15
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancellation cutoff (hours before)"),
        default=2,
        help_text=_("Members can cancel online until this many hours before the start."),
    )
    rrule = models.CharField(
        _("repeats"),
        max_length=200,
        default="FREQ=WEEKLY",
        validators=[validate_rrule],
        help_text=_("An iCalendar rule, e.g. FREQ=WEEKLY;BYDAY=TU for every Tuesday."),
    )
    first_date = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    start_time = models.TimeField(_("starts (local time)"))
    end_time = models.TimeField(_("ends (local time)"))
    horizon_weeks = models.PositiveSmallIntegerField(_("sessions planned ahead (weeks)"), default=8)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupportGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="groups_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(start_time=F("end_time")), name="groups_start_not_end"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("first_date")),
                name="groups_until_after_first",
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
        if self.start_time and self.end_time and self.start_time == self.end_time:
            errors["end_time"] = _("A session must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_virtual(self) -> bool:
        return self.format in (GroupFormat.VIRTUAL, GroupFormat.HYBRID)

    def planned_occurrences(self, *, tz, window_start: dt.datetime, window_end: dt.datetime):
        """The schedule's occurrences in [window_start, window_end), local time kept over DST."""
        return expand(
            self.rrule,
            first_date=self.first_date,
            start_time=self.start_time,
            end_time=self.end_time,
            tz=tz,
            window_start=window_start,
            window_end=window_end,
            until=self.until,
        )


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class GroupSessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())

    def scheduled(self):
        return self.filter(status=SessionStatus.SCHEDULED)

    def with_counts(self):
        """Confirmed and waitlisted counts, one correlated subquery each: each reads only its
        session's bookings by index. (A JOIN with GROUP BY made PostgreSQL hash the whole
        bookings table when it over-estimated the sessions: 145 ms for a directory page of
        48 sessions on 500,000 bookings.)"""

        def count(status):
            return Coalesce(
                Subquery(
                    Booking.objects.filter(session_id=OuterRef("pk"), status=status)
                    .order_by()
                    .values("session_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        return self.annotate(
            confirmed_count=count(BookingStatus.CONFIRMED),
            waitlist_count=count(BookingStatus.WAITLISTED),
        )


class GroupSession(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="sessions")
    # The occurrence this row was generated for; stays when a session is moved, so
    # regenerating the horizon never creates it twice.
    occurrence_start = models.DateTimeField()
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty to use the group's.")
    )
    notice = models.CharField(_("notice to members"), max_length=300, blank=True)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "occurrence_start"], name="groups_one_session_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="groups_session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="groups_session_start_idx")]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats(self) -> int:
        return self.capacity if self.capacity is not None else self.group.capacity

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def booking_opens_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(days=self.group.booking_opens_days)

    def booking_closes_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=self.group.booking_closes_minutes)

    def cancellation_cutoff_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(hours=self.group.cancellation_cutoff_hours)

    def link_visible_from(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=self.group.link_visible_minutes)

    def attendance_opens_at(self) -> dt.datetime:
        """Facilitators take attendance as people arrive, not days ahead."""
        return self.starts_at - ATTENDANCE_OPENS_BEFORE

    def attendance_is_open(self, now: dt.datetime) -> bool:
        return not self.is_cancelled and now >= self.attendance_opens_at()


ATTENDANCE_OPENS_BEFORE = dt.timedelta(minutes=30)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Booked")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not marked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


ACTIVE_BOOKING = Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED])


def waitlist_ahead_of(waitlisted_at, pk) -> Q:
    """Waitlisted bookings before this one in line (by time, then id): the promotion order."""
    return Q(status=BookingStatus.WAITLISTED) & (
        Q(waitlisted_at__lt=waitlisted_at) | Q(waitlisted_at=waitlisted_at, pk__lt=pk)
    )


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ACTIVE_BOOKING)

    def with_waitlist_position(self):
        """Annotate ``waitlist_ahead`` (people in line before each booking) in one query."""
        ahead = (
            Booking.objects.filter(
                waitlist_ahead_of(OuterRef("waitlisted_at"), OuterRef("pk")),
                session_id=OuterRef("session_id"),
            )
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(waitlist_ahead=Coalesce(Subquery(ahead), 0))

    def confirmed(self):
        return self.filter(status=BookingStatus.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=BookingStatus.WAITLISTED).order_by("waitlisted_at", "id")


class Booking(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="bookings")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_bookings"
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices)
    # Confirmed bookings hold a numbered seat, unique per session: a second line of
    # defence behind the row lock, so two confirmations can never share a seat.
    seat = models.PositiveSmallIntegerField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["session__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=ACTIVE_BOOKING,
                name="groups_one_active_booking_per_member",
            ),
            models.UniqueConstraint(
                fields=["session", "seat"],
                condition=Q(status=BookingStatus.CONFIRMED),
                name="groups_one_booking_per_seat",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=BookingStatus.CONFIRMED, seat__gte=1)
                    | (~Q(status=BookingStatus.CONFIRMED) & Q(seat__isnull=True))
                ),
                name="groups_confirmed_bookings_hold_a_seat",
            ),
        ]

    def __str__(self) -> str:
        return f"booking #{self.pk}"

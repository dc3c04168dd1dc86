"""Drop-in center events, RSVPs and anonymous visit tallies.

Locations (address, accessibility, opening hours, "open now") live in ``core``; events
point at ``core.Location``.

Choices made here:
- Categories are rows (``EventCategory``, ``VisitCategory``), not TextChoices: each drop-in
  center names its own activities and desk categories, and a coordinator changes them in the
  admin without a release or a migration.
- A recurring event is an ``EventSeries`` expanded into ordinary ``Event`` rows over a
  rolling horizon, so an occurrence can be cancelled, RSVP'd, counted and reported on its own.
  One row per (series, local date) — expansion is idempotent.
- Visits are counters, one row per (location, local date, category) — never a row per
  visitor and never a time of day, so nothing in the table can point at a person.
- Attendance is a count per event entered by staff (people who drop in without an RSVP count
  too, and nobody's presence is recorded by name).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.models import Location
from peerportal.core.recurrence import validate_rrule


class EventCategory(models.Model):
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="dropin_eventcategory_name_unique",
                violation_error_message=_("A category with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class EventSeries(models.Model):
    """A repeating event; ``series_expand`` turns it into Event rows ahead of time."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="event_series", verbose_name=_("location")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        EventCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=200,
        validators=[validate_rrule],
        help_text=_("For example FREQ=WEEKLY;BYDAY=WE (every Wednesday)."),
    )
    first_date = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    start_time = models.TimeField(_("starts (local time)"))
    end_time = models.TimeField(_("ends (local time)"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    rsvp_enabled = models.BooleanField(_("RSVP"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="dropin_series_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="dropin_series_capacity_positive",
                violation_error_message=_("Capacity must be at least 1 (or empty for no limit)."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, location__is_active=True)

    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())

    def with_rsvp_count(self):
        return self.annotate(
            rsvp_count=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.ACTIVE), distinct=True)
        )


class Event(models.Model):
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="events", verbose_name=_("location")
    )
    series = models.ForeignKey(
        EventSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    occurrence_date = models.DateField(_("date in the series"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        EventCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("category"),
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    rsvp_enabled = models.BooleanField(_("RSVP"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancellation_notice = models.TextField(_("cancellation notice"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended_count = models.PositiveIntegerField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="dropin_event_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="dropin_event_capacity_positive",
                violation_error_message=_("Capacity must be at least 1 (or empty for no limit)."),
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                condition=Q(series__isnull=False),
                name="dropin_event_one_per_series_date",
                violation_error_message=_("This series already has an event on that date."),
            ),
        ]
        indexes = [models.Index(fields=["location", "starts_at"], name="dropin_event_loc_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def seats_left(self) -> int | None:
        """Seats still free (a count only — never who took them); None without a limit."""
        if self.capacity is None:
            return None
        taken = getattr(self, "rsvp_count", None)
        if taken is None:
            taken = self.rsvps.filter(status=RSVPStatus.ACTIVE).count()
        return max(self.capacity - taken, 0)


class RSVPStatus(models.TextChoices):
    ACTIVE = "active", _("Going")
    CANCELLED = "cancelled", _("Cancelled")


class RSVPQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=RSVPStatus.ACTIVE)


class RSVP(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="rsvps", verbose_name=_("event")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_rsvps",
        verbose_name=_("member"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RSVPStatus.choices, default=RSVPStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(status="active"),
                name="dropin_rsvp_one_active_per_member",
                violation_error_message=_("You have already RSVP'd to this event."),
            ),
        ]

    def __str__(self) -> str:
        return f"RSVP #{self.pk}"


class VisitCategory(models.Model):
    """An anonymous desk category such as "first visit" or "returning"."""

    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit category")
        verbose_name_plural = _("visit categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="dropin_visitcategory_name_unique",
                violation_error_message=_("A visit category with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class VisitTally(models.Model):
    """How many people came in on a local date (per optional category). No identities."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="visit_tallies", verbose_name=_("location")
    )
    date = models.DateField(_("date"))
    category = models.ForeignKey(
        VisitCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tallies",
        verbose_name=_("category"),
    )
    count = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("visit tally")
        verbose_name_plural = _("visit tallies")
        ordering = ["-date", "location_id", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "date", "category"],
                condition=Q(category__isnull=False),
                name="dropin_tally_one_per_category",
                violation_error_message=_(
                    "This location already has a count for that day and category."
                ),
            ),
            models.UniqueConstraint(
                fields=["location", "date"],
                condition=Q(category__isnull=True),
                name="dropin_tally_one_uncategorised",
                violation_error_message=_("This location already has a count for that day."),
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="dropin_tally_count_nonneg",
                violation_error_message=_("A count can't be below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} #{self.location_id}: {self.count}"

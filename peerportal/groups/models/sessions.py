"""Group sessions: one row per occurrence of a group's schedule, with seat counts."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .support_groups import SupportGroup


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


def rows_per_session(model, status):
    """How many ``model`` rows (bookings, waitlist offers) of ``status`` the outer session
    has, as a correlated subquery (0 for none): it reads only that session's rows by index."""
    return Coalesce(
        Subquery(
            model.objects.filter(session_id=OuterRef("pk"), status=status)
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


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
        # Imported here: bookings.py imports GroupSession from this module.
        from .bookings import Booking, BookingStatus, OfferStatus, WaitlistOffer

        return self.annotate(
            confirmed_count=rows_per_session(Booking, BookingStatus.CONFIRMED),
            waitlist_count=rows_per_session(Booking, BookingStatus.WAITLISTED),
            # Seats held by an open waitlist offer are not free for newcomers.
            offered_count=rows_per_session(WaitlistOffer, OfferStatus.OPEN),
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
                fields=["group", "occurrence_start"],
                name="groups_one_session_per_occurrence",
                violation_error_message=_("This group already has a session at that time."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="groups_session_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="groups_session_start_idx"),
            # A group's sessions not yet over (the directory's next session): without it
            # the group index read every past session of the page's groups as well.
            models.Index(fields=["group", "ends_at"], name="groups_session_group_end_idx"),
        ]

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

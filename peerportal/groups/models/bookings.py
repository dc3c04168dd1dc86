"""Bookings and the waitlist: members' seats, their place in line and seat offers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import GroupSession


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
    # Set when the booking was made for a standing place (a cancelled one is a skipped date,
    # and stays so the place is not filled again for that session).
    standing_place = models.ForeignKey(
        "groups.StandingPlace",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
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
                violation_error_message=_("You already have a booking for this session."),
            ),
            models.UniqueConstraint(
                fields=["session", "seat"],
                condition=Q(status=BookingStatus.CONFIRMED),
                name="groups_one_booking_per_seat",
                violation_error_message=_("This place is already taken."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=BookingStatus.CONFIRMED, seat__gte=1)
                    | (~Q(status=BookingStatus.CONFIRMED) & Q(seat__isnull=True))
                ),
                name="groups_confirmed_bookings_hold_a_seat",
                violation_error_message=_("A confirmed booking needs a place."),
            ),
        ]

    def __str__(self) -> str:
        return f"booking #{self.pk}"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistOffer(models.Model):
    """A freed seat offered to one waiting member until ``expires_at``.

    While open, the seat is held for them: newcomers cannot take it. Exactly one open
    offer per (session, seat), and at most one per booking.
    """

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="offers")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="offers")
    seat = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("answer by"))
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "seat"],
                condition=Q(status="open"),
                name="groups_one_open_offer_per_seat",
                violation_error_message=_("This seat is already offered to someone."),
            ),
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status="open"),
                name="groups_one_open_offer_per_booking",
                violation_error_message=_("You already have an open offer for this session."),
            ),
            models.CheckConstraint(
                condition=Q(seat__gte=1),
                name="groups_offer_seat_positive",
                violation_error_message=_("An offer is for a numbered seat."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="groups_offer_expires_later",
                violation_error_message=_("An offer must expire after it is made."),
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="groups_offer_due_idx")]

    def __str__(self) -> str:
        return f"offer #{self.pk}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.status == OfferStatus.OPEN and now < self.expires_at

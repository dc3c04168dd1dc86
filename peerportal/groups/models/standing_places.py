"""Standing places: a member's seat in every (or every other) session of a group."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .support_groups import SupportGroup


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every other week")


class StandingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ASKED = "asked", _("Asked whether to keep it")
    ENDED = "ended", _("Ended")


HELD_STANDING = Q(status__in=[StandingStatus.ACTIVE, StandingStatus.ASKED])
STANDING_PAUSE_MAX_DAYS = 182


class StandingPlace(models.Model):
    """A member's place in every session (or every other one) of a recurring group.

    The seats themselves are ordinary ``Booking`` rows, created session by session by
    ``standing.standing_places_fill`` as sessions are generated, so reminders, the iCal
    feed, rosters and attendance follow without special cases.
    """

    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="standing_places"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing_places"
    )
    cadence = models.CharField(
        _("how often"), max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    # The first session's local date: "every other week" counts weeks from here.
    anchor_date = models.DateField()
    status = models.CharField(
        _("status"), max_length=8, choices=StandingStatus.choices, default=StandingStatus.ACTIVE
    )
    paused_from = models.DateField(_("paused from"), null=True, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    # Missed sessions: the member is asked to keep the place, and loses it after this time.
    answer_by = models.DateTimeField(null=True, blank=True)
    # Missed sessions count from here: the start, or when the member last chose to keep it.
    misses_count_from = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("standing place")
        verbose_name_plural = _("standing places")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=HELD_STANDING,
                name="groups_one_standing_place_per_member",
                violation_error_message=_("You already have a standing place in this group."),
            ),
            models.CheckConstraint(
                condition=(Q(paused_from__isnull=True) & Q(paused_until__isnull=True))
                | Q(paused_until__gte=F("paused_from")),
                name="groups_standing_pause_ordered",
                violation_error_message=_("A pause must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"standing place #{self.pk}"

    @property
    def is_held(self) -> bool:
        return self.status in (StandingStatus.ACTIVE, StandingStatus.ASKED)

    def covers(self, local_date: dt.date) -> bool:
        """Whether this place wants a seat in a session on ``local_date`` (cadence, pause)."""
        if not self.is_held or local_date < self.anchor_date:
            return False
        if self.paused_from and self.paused_from <= local_date <= self.paused_until:
            return False
        if self.cadence == Cadence.FORTNIGHTLY:
            return ((local_date - self.anchor_date).days // 7) % 2 == 0
        return True

"""Trainings the organization runs (credit from attendance): events, rosters, certificates."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from peerportal.accounts.models import User
from peerportal.core.permissions import is_coordinator, require_role

from ._shared import raise_404


def _trainings():
    from ..models import TrainingEvent, TrainingEventTopic

    return TrainingEvent.objects.select_related("facilitator").prefetch_related(
        Prefetch("topic_hours", queryset=TrainingEventTopic.objects.select_related("topic"))
    )


def training_event_list_for(user):
    """Every training (they are the organization's, open to all staff), newest first, with
    whether ``user`` is on the roster and how many are."""
    from django.db.models import Exists, OuterRef

    from ..models import TrainingAttendee

    require_role(user, "staff")
    return (
        _trainings()
        .annotate(
            registered=Exists(TrainingAttendee.objects.filter(event=OuterRef("pk"), person=user)),
            roster_size=Count("attendees", distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def training_event_get(user, pk: int):
    """A training any staff member may register for."""
    require_role(user, "staff")
    return get_object_or_404(_trainings(), pk=pk)


def training_event_get_for_attendance(user, pk: int):
    """The training's facilitator, or a coordinator; anyone else gets 404."""
    require_role(user, "staff")
    qs = _trainings() if is_coordinator(user) else _trainings().filter(facilitator=user)
    return get_object_or_404(qs, pk=pk)


def training_event_get_for_edit(user, pk: int):
    require_role(user, "coordinator")
    return get_object_or_404(_trainings(), pk=pk)


def training_roster(event):
    """The roster with display names only (no emails), for the facilitator."""
    from ..models import TrainingAttendee

    return (
        TrainingAttendee.objects.filter(event=event)
        .select_related("person")
        .only("pk", "event_id", "attended", "person__id", "person__display_name", "person__role")
        .order_by("person__display_name", "pk")
    )


def training_roster_candidates(event):
    """Staff the facilitator may add, never themselves: before closing, anyone not on the
    roster; after closing (a late attendee), anyone not yet credited — including someone
    who registered but was not marked present."""
    qs = User.objects.staff().exclude(pk=event.facilitator_id)
    if event.is_closed:
        qs = qs.exclude(training_credits__event=event)
    else:
        qs = qs.exclude(training_attendance__event=event)
    return qs.only("pk", "display_name").order_by("display_name", "pk")


def training_close_summary(event, closer) -> dict:
    """What closing would produce: how many staff get how many hours (and on what)."""
    from ..models import TrainingAttendee

    lines = list(event.topic_hours.all())
    return {
        "people": TrainingAttendee.objects.creditable(event, closer).count(),
        "hours": sum((line.hours for line in lines), Decimal("0")),
        "lines": lines,
    }


def training_credit_list_for(user):
    """The user's own certificates of attendance."""
    from ..models import TrainingCredit

    return TrainingCredit.objects.filter(person=user).select_related("event")


def training_credit_get_for(user, pk: int):
    """A certificate: its holder, their supervisor, coordinators; anyone else gets 404."""
    from ..models import TrainingCredit, TrainingRecord
    from ..permissions import can_view_certificate

    require_role(user, "staff")
    credit = get_object_or_404(
        TrainingCredit.objects.select_related("event", "person", "approved_by").prefetch_related(
            Prefetch(
                "records",
                queryset=TrainingRecord.objects.select_related("topic").order_by(
                    "topic__name", "pk"
                ),
            )
        ),
        pk=pk,
    )
    if not can_view_certificate(user, credit):
        raise_404()
    return credit

"""Standing places: a member holds a seat in every future session of a recurring group.

Also the group's settings for places (waitlist offers and standing places), kept apart from
the group form so the schedule builder and these settings change independently.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.reminders.services import notify, reminders_cancel_for, reminders_schedule_before

from . import exceptions
from .models import (
    ACTIVE_BOOKING,
    HELD_STANDING,
    STANDING_PAUSE_MAX_DAYS,
    Attendance,
    Booking,
    BookingStatus,
    Cadence,
    GroupSession,
    SessionStatus,
    StandingPlace,
    StandingStatus,
    SupportGroup,
)

PLACES_FIELDS = (
    "offer_window_hours",
    "offer_lifetime_minutes",
    "standing_places_allowed",
    "standing_share_percent",
    "standing_missed_limit",
    "standing_answer_days",
)


def group_places_update(*, actor, group: SupportGroup, request=None) -> SupportGroup:
    """Save the group's offer and standing-place settings (bounds checked here too)."""
    others = [f.name for f in SupportGroup._meta.fields if f.name not in PLACES_FIELDS]
    try:
        group.clean_fields(exclude=others)
    except ValidationError as exc:
        raise exceptions.GroupsError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        group.save(update_fields=list(PLACES_FIELDS))
        audit_record(actor=actor, action="group.places_update", obj=group, request=request)
    return group


# --- Standing places ------------------------------------------------------------------------
KIND_STANDING_CHECK = "standing_place_check"


def standing_seats(session: GroupSession) -> int:
    """Seats standing places may hold in a session; the rest stay open for newcomers."""
    return session.seats * session.group.standing_share_percent // 100


def _local_date(when: dt.datetime) -> dt.date:
    return timezone.localdate(when, Organization.get().tzinfo)


def standing_places_fill(*, session: GroupSession, now: dt.datetime | None = None) -> int:
    """Give the group's standing places their seats in one session, while seats allow.

    Locks the session row (as booking does), so fills, one-off bookings and skips for the
    same session never interleave. Idempotent: a place that already has a booking row for
    the session — held, waiting or skipped (cancelled) — is left alone. Returns seats given.
    """
    from .services import KIND_UPCOMING
    from .services.bookings import _free_seat

    now = now or timezone.now()
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("group").get(pk=session.pk)
        )
        group = session.group
        if (
            not group.standing_places_allowed
            or session.is_cancelled
            or now >= session.booking_closes_at()
        ):
            return 0
        day = _local_date(session.occurrence_start)
        places = [
            p
            for p in group.standing_places.filter(HELD_STANDING).select_related("member")
            if p.covers(day)
        ]
        if not places:
            return 0
        has_row = set(
            session.bookings.filter(
                Q(standing_place__in=places)
                | Q(ACTIVE_BOOKING, member__in=[p.member for p in places])
            ).values_list("member_id", flat=True)
        )
        held = session.bookings.confirmed().filter(standing_place__isnull=False).count()
        given = 0
        for place in places:
            if place.member_id in has_row or held >= standing_seats(session):
                continue
            seat = _free_seat(session)
            if seat is None:
                break
            booking = Booking.objects.create(
                session=session,
                member=place.member,
                status=BookingStatus.CONFIRMED,
                seat=seat,
                standing_place=place,
            )
            reminders_schedule_before(
                kind=KIND_UPCOMING,
                target=booking,
                recipient=place.member,
                starts_at=session.starts_at,
            )
            held += 1
            given += 1
        return given


def standing_places_fill_group(*, group: SupportGroup, now: dt.datetime | None = None) -> int:
    """After session generation: fill every coming session of the group (cheap when unused)."""
    now = now or timezone.now()
    if (
        not group.standing_places_allowed
        or not group.standing_places.filter(HELD_STANDING).exists()
    ):
        return 0
    sessions = group.sessions.scheduled().filter(starts_at__gt=now).order_by("starts_at")
    return sum(standing_places_fill(session=s, now=now) for s in sessions)


def standing_place_join(
    *, group: SupportGroup, member, cadence: str, now: dt.datetime | None = None, request=None
) -> StandingPlace:
    """Hold a place in every coming session (or every other one) from the next session on."""
    now = now or timezone.now()
    if cadence not in Cadence.values:
        raise exceptions.GroupsError(_("Choose every week or every other week."))
    with transaction.atomic():
        group = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if not group.is_published or not group.standing_places_allowed:
            raise exceptions.GroupsError(_("This group does not offer standing places."))
        if group.standing_places.filter(HELD_STANDING, member=member).exists():
            raise exceptions.GroupsError(_("You already hold a standing place in this group."))
        first = group.sessions.scheduled().filter(starts_at__gt=now).order_by("starts_at").first()
        if first is None:
            raise exceptions.GroupsError(_("This group has no coming sessions."))
        place = StandingPlace.objects.create(
            group=group,
            member=member,
            cadence=cadence,
            anchor_date=_local_date(first.occurrence_start),
            created_at=now,
        )
        audit_record(actor=member, action="standing.join", obj=place, request=request)
    standing_places_fill_group(group=group, now=now)
    return place


def _future_standing_bookings(place: StandingPlace, now: dt.datetime):
    return place.bookings.active().filter(session__starts_at__gt=now).select_related("session")


def _release(place: StandingPlace, bookings, *, member, now: dt.datetime) -> int:
    """Cancel these standing bookings (seats go to the waitlist or an offer at once)."""
    from .services import booking_cancel
    from .services.bookings import _System

    released = 0
    for booking in bookings:
        try:
            # The place's own change, not one cancellation: no per-session email.
            booking_cancel(booking=booking, actor=_System(), now=now)
        except exceptions.GroupsError:
            continue  # inside the cancellation cutoff: that one session stays booked
        released += 1
    return released


def _lock_held(place: StandingPlace, member) -> StandingPlace:
    """The member's own place, row-locked, while it is still held (else a clear refusal)."""
    place = StandingPlace.objects.select_for_update().get(pk=place.pk)
    if place.member_id != member.pk or not place.is_held:
        raise exceptions.GroupsError(_("This standing place has ended."))
    return place


def standing_place_pause(
    *,
    place: StandingPlace,
    member,
    paused_from: dt.date,
    paused_until: dt.date,
    now: dt.datetime | None = None,
    request=None,
) -> StandingPlace:
    """Skip every session from ``paused_from`` to ``paused_until`` (local dates, inclusive)."""
    now = now or timezone.now()
    today = _local_date(now)
    if paused_until < paused_from:
        raise exceptions.GroupsError(_("The pause must end on or after the day it starts."))
    if paused_from < today:
        raise exceptions.GroupsError(_("A pause cannot start in the past."))
    if (paused_until - paused_from).days > STANDING_PAUSE_MAX_DAYS:
        raise exceptions.GroupsError(_("A pause can last at most 26 weeks."))
    with transaction.atomic():
        place = _lock_held(place, member)
        place.paused_from, place.paused_until = paused_from, paused_until
        place.save(update_fields=["paused_from", "paused_until"])
        audit_record(actor=member, action="standing.pause", obj=place, request=request)
    in_pause = [
        b
        for b in _future_standing_bookings(place, now)
        if paused_from <= _local_date(b.session.occurrence_start) <= paused_until
    ]
    _release(place, in_pause, member=member, now=now)
    standing_places_fill_group(group=place.group, now=now)  # a shorter pause gives seats back
    return place


def standing_place_leave(
    *, place: StandingPlace, member, now: dt.datetime | None = None, request=None
) -> StandingPlace:
    """End the place; its coming seats go to the waitlist (those inside the cutoff stay)."""
    now = now or timezone.now()
    with transaction.atomic():
        place = _lock_held(place, member)
        place.status, place.ended_at, place.answer_by = StandingStatus.ENDED, now, None
        place.save(update_fields=["status", "ended_at", "answer_by"])
        audit_record(actor=member, action="standing.leave", obj=place, request=request)
    _release(place, _future_standing_bookings(place, now), member=place.member, now=now)
    return place


def standing_place_keep(
    *, place: StandingPlace, member, now: dt.datetime | None = None, request=None
) -> StandingPlace:
    """The member answers "yes, keep my place" after missing sessions."""
    now = now or timezone.now()
    with transaction.atomic():
        place = _lock_held(place, member)
        place.status, place.answer_by, place.misses_count_from = StandingStatus.ACTIVE, None, now
        place.save(update_fields=["status", "answer_by", "misses_count_from"])
        reminders_cancel_for(target=place)
        audit_record(actor=member, action="standing.keep", obj=place, request=request)
    return place


def _missed_in_a_row(place: StandingPlace, limit: int, now: dt.datetime) -> bool:
    """The place's last ``limit`` past sessions (since it was taken or last kept) were all
    marked "did not come" on the facilitator's roster, without the member cancelling."""
    last = list(
        place.bookings.filter(
            status=BookingStatus.CONFIRMED,
            session__status=SessionStatus.SCHEDULED,
            session__ends_at__lte=now,
            session__starts_at__gte=place.misses_count_from,
        )
        .order_by("-session__starts_at")
        .values_list("attendance", flat=True)[:limit]
    )
    return len(last) == limit and all(a == Attendance.NO_SHOW for a in last)


def standing_places_end_for_erased_user(user) -> None:
    """Account erasure: standing places end (their coming seats were cancelled already)."""
    for place in StandingPlace.objects.filter(HELD_STANDING, member=user):
        standing_place_leave(place=place, member=user)


def standing_places_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Daily: ask members who missed N sessions in a row; end places not answered in time."""
    now = now or timezone.now()
    asked = ended = 0
    overdue = list(
        StandingPlace.objects.filter(status=StandingStatus.ASKED, answer_by__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in overdue:
        place = StandingPlace.objects.select_related("member").get(pk=pk)
        standing_place_leave(place=place, member=place.member, now=now)
        ended += 1
    for place in StandingPlace.objects.filter(status=StandingStatus.ACTIVE).select_related(
        "group", "member"
    ):
        if not _missed_in_a_row(place, place.group.standing_missed_limit, now):
            continue
        with transaction.atomic():
            place = (
                StandingPlace.objects.select_for_update()
                .select_related("group", "member")
                .get(pk=place.pk)
            )
            if place.status != StandingStatus.ACTIVE:
                continue
            place.status = StandingStatus.ASKED
            place.answer_by = now + dt.timedelta(days=place.group.standing_answer_days)
            place.save(update_fields=["status", "answer_by"])
            notify(kind=KIND_STANDING_CHECK, target=place, recipient=place.member)
            audit_record(actor=None, action="standing.ask", obj=place)
            asked += 1
    return {"asked": asked, "ended": ended}

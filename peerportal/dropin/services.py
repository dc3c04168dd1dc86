"""Every state change of the drop-in app: events, series, RSVPs, attendance, visit tallies."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from peerportal.core import bounds
from peerportal.core.audit import audit_record
from peerportal.core.models import Location, Organization
from peerportal.core.recurrence import expand
from peerportal.reminders.services import (
    notify,
    reminders_cancel_for,
    reminders_reschedule_for,
    reminders_schedule_before,
)

from .exceptions import (
    AlreadyRSVPd,
    EventCancelled,
    EventFull,
    EventPast,
    NoActiveRSVP,
    OutOfBounds,
    RSVPNotOpen,
    UndoExpired,
)
from .models import RSVP, Event, EventSeries, RSVPStatus, VisitCategory, VisitTally

KIND_UPCOMING = "event_upcoming"
KIND_CANCELLED = "event_cancelled"
SERIES_HORIZON_DAYS = 90
UNDO_WINDOW = dt.timedelta(minutes=2)

EVENT_FIELDS = (
    "location",
    "title",
    "description",
    "category",
    "starts_at",
    "ends_at",
    "capacity",
    "rsvp_enabled",
    "accessibility_notes",
    "is_published",
)


# --- events and series -------------------------------------------------------------------


def event_check_bounds(
    *,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    capacity: int | None = None,
    rsvp_enabled: bool | None = None,
    previous_start: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The bounds of one event (``core.bounds``), as a ``ValidationError`` keyed by field.

    A capacity only means something with RSVPs (it limits them); given without, it would
    be silently ignored, so it is refused.

    A new event may be entered up to a week late (to record its head count). An event that
    has not happened yet can't be moved into the past: the people who RSVP'd would be told
    of a time they can't attend. An unchanged start is not checked again (editing the title
    of last month's event is fine).
    """
    now = now or timezone.now()
    checks = bounds.Checks()
    if starts_at is not None and starts_at != previous_start:
        moving_upcoming = previous_start is not None and previous_start > now
        checks.run(
            "starts_at",
            bounds.check_schedule_window,
            starts_at,
            now=now,
            backfill=not moving_upcoming,
        )
    checks.run(
        "ends_at",
        bounds.check_ends_after_starts,
        starts_at,
        ends_at,
        max_duration=bounds.EVENT_MAX_DURATION,
    )
    in_range = checks.run("capacity", bounds.validate_event_capacity, capacity)
    if in_range and capacity is not None and rsvp_enabled is False:
        checks.add(
            "capacity",
            _("A capacity limits RSVPs: turn RSVPs on, or leave the capacity empty."),
        )
    checks.raise_any()


def series_check_bounds(
    *,
    rrule: str,
    first_date: dt.date | None,
    until: dt.date | None,
    now: dt.datetime | None = None,
) -> None:
    """The bounds of a repeating event: a bounded rule, a first date inside the schedule
    window (up to ``SERIES_ANCHOR_BACKFILL`` back), a last date at most two years ahead."""
    checks = bounds.Checks()
    checks.run("rrule", bounds.check_recurrence, rrule)
    if first_date is not None:
        checks.run(
            "first_date",
            bounds.check_date_window,
            first_date,
            now=now,
            backfill=True,
            backfill_by=bounds.SERIES_ANCHOR_BACKFILL,
        )
    checks.run("until", bounds.check_series_until, first_date, until, now=now)
    checks.raise_any()


def event_create(*, actor, request=None, **fields) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    with bounds.enforced(OutOfBounds):
        event_check_bounds(
            starts_at=fields.get("starts_at"),
            ends_at=fields.get("ends_at"),
            capacity=fields.get("capacity"),
            rsvp_enabled=fields.get("rsvp_enabled", False),
        )
    with transaction.atomic():
        event = Event(**fields)
        event.full_clean()
        event.save()
        audit_record(actor=actor, action="event.create", obj=event, request=request)
    return event


def event_update(*, actor, event: Event, request=None, **fields) -> Event:
    """Change an event; if its start moves, its RSVP'd members' reminders move with it."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        old_start = locked.starts_at
        for name, value in fields.items():
            if name not in EVENT_FIELDS:
                raise TypeError(f"unknown event field: {name}")
            setattr(locked, name, value)
        with bounds.enforced(OutOfBounds):
            event_check_bounds(
                starts_at=locked.starts_at,
                ends_at=locked.ends_at,
                capacity=locked.capacity,
                rsvp_enabled=locked.rsvp_enabled,
                previous_start=old_start,
            )
        locked.full_clean()
        locked.save()
        if locked.starts_at != old_start and not locked.is_cancelled:
            for rsvp in locked.rsvps.active().select_related("member"):
                reminders_reschedule_for(
                    kind=KIND_UPCOMING,
                    target=locked,
                    recipient=rsvp.member,
                    starts_at=locked.starts_at,
                )
        audit_record(actor=actor, action="event.update", obj=locked, request=request)
    return locked


def event_cancel(*, actor, event: Event, notice: str = "", request=None) -> Event:
    """Cancel an event: every RSVP'd member is told at once and their reminders stop."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            return locked
        locked.is_cancelled = True
        locked.cancellation_notice = notice
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["is_cancelled", "cancellation_notice", "cancelled_at"])
        reminders_cancel_for(target=locked, kinds=[KIND_UPCOMING])
        if locked.ends_at > timezone.now():
            for rsvp in locked.rsvps.active().select_related("member"):
                notify(kind=KIND_CANCELLED, target=locked, recipient=rsvp.member)
        audit_record(actor=actor, action="event.cancel", obj=locked, request=request)
    return locked


def series_create(
    *,
    actor,
    location: Location,
    title: str,
    rrule: str,
    first_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    until: dt.date | None = None,
    description: str = "",
    category=None,
    accessibility_notes: str = "",
    capacity: int | None = None,
    rsvp_enabled: bool = False,
    is_published: bool = True,
    request=None,
    now: dt.datetime | None = None,
) -> EventSeries:
    with bounds.enforced(OutOfBounds):
        series_check_bounds(rrule=rrule, first_date=first_date, until=until, now=now)
        event_check_bounds(
            starts_at=None, ends_at=None, capacity=capacity, rsvp_enabled=rsvp_enabled
        )
        bounds.check_ends_after_starts(start_time, end_time)
    with transaction.atomic():
        series = EventSeries(
            location=location,
            title=title,
            rrule=rrule,
            first_date=first_date,
            until=until,
            start_time=start_time,
            end_time=end_time,
            description=description,
            category=category,
            accessibility_notes=accessibility_notes,
            capacity=capacity,
            rsvp_enabled=rsvp_enabled,
            is_published=is_published,
        )
        series.full_clean()
        series.save()
        audit_record(actor=actor, action="event_series.create", obj=series, request=request)
        series_expand(series=series, now=now)
    return series


def series_end(
    *, actor, series: EventSeries, notice: str, request=None, now: dt.datetime | None = None
) -> int:
    """Stop a series: no more dates are made, and every event still to come is cancelled
    (so everyone who RSVP'd is told, with ``notice``). Past events keep their head counts.
    Returns how many events were cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = EventSeries.objects.select_for_update().get(pk=series.pk)
        today = timezone.localdate(now, Organization.get().tzinfo)
        locked.is_active = False
        locked.until = max(locked.first_date, min(locked.until or today, today))
        locked.save(update_fields=["is_active", "until"])
        upcoming = list(locked.events.filter(starts_at__gt=now, is_cancelled=False))
        for event in upcoming:
            event_cancel(actor=actor, event=event, notice=notice, request=request)
        audit_record(
            actor=actor,
            action="event_series.end",
            obj=locked,
            request=request,
            extra={"cancelled": len(upcoming)},
        )
    return len(upcoming)


def series_expand(
    *, series: EventSeries, now: dt.datetime | None = None, horizon_days: int | None = None
) -> int:
    """Create the series' missing Event rows from now to the horizon. Idempotent.

    Occurrences are expanded in the organization's local time (18:00 stays 18:00 across
    DST); one row per (series, local date) is guaranteed by a constraint.
    """
    if not series.is_active:
        return 0
    now = now or timezone.now()
    horizon = dt.timedelta(days=SERIES_HORIZON_DAYS if horizon_days is None else horizon_days)
    tz = Organization.get().tzinfo
    window_start = max(now, dt.datetime.combine(series.first_date, dt.time.min, tzinfo=tz))
    occurrences = expand(
        series.rrule,
        first_date=series.first_date,
        start_time=series.start_time,
        end_time=series.end_time,
        tz=tz,
        window_start=window_start,
        window_end=now + horizon,
        until=series.until,
    )
    with transaction.atomic():
        existing = set(
            Event.objects.filter(series=series).values_list("occurrence_date", flat=True)
        )
        new = [
            Event(
                location_id=series.location_id,
                series=series,
                occurrence_date=occ.local_date,
                title=series.title,
                description=series.description,
                category_id=series.category_id,
                starts_at=occ.start,
                ends_at=occ.end,
                capacity=series.capacity,
                rsvp_enabled=series.rsvp_enabled,
                accessibility_notes=series.accessibility_notes,
                is_published=series.is_published,
            )
            for occ in occurrences
            if occ.local_date not in existing
        ]
        Event.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def series_expand_all(*, now: dt.datetime | None = None) -> int:
    return sum(
        series_expand(series=series, now=now)
        for series in EventSeries.objects.filter(is_active=True)
    )


# --- RSVPs -------------------------------------------------------------------------------


def rsvp_create(*, event: Event, member, request=None) -> RSVP:
    """RSVP a member. Capacity holds under concurrency: lock the event, count, insert."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            raise EventCancelled
        if not locked.rsvp_enabled or not locked.is_published:
            raise RSVPNotOpen
        if locked.starts_at <= timezone.now():
            raise EventPast
        active = RSVP.objects.filter(event=locked, status=RSVPStatus.ACTIVE)
        if active.filter(member=member).exists():
            raise AlreadyRSVPd
        if locked.capacity is not None and active.count() >= locked.capacity:
            raise EventFull
        try:
            with transaction.atomic():
                rsvp = RSVP.objects.create(event=locked, member=member)
        except IntegrityError as exc:  # the constraint backs the check above
            raise AlreadyRSVPd from exc
        reminders_schedule_before(
            kind=KIND_UPCOMING, target=locked, recipient=member, starts_at=locked.starts_at
        )
        audit_record(
            actor=member, action="rsvp.create", obj=rsvp, request=request, extra={"event": event.pk}
        )
    return rsvp


def rsvp_cancel(*, event: Event, member, request=None) -> RSVP:
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        rsvp = (
            RSVP.objects.select_for_update()
            .filter(event=locked, member=member, status=RSVPStatus.ACTIVE)
            .first()
        )
        if rsvp is None:
            raise NoActiveRSVP
        if locked.starts_at <= timezone.now() and not locked.is_cancelled:
            raise EventPast
        rsvp.status = RSVPStatus.CANCELLED
        rsvp.cancelled_at = timezone.now()
        rsvp.save(update_fields=["status", "cancelled_at"])
        reminders_cancel_for(target=locked, recipient=member, kinds=[KIND_UPCOMING])
        audit_record(
            actor=member, action="rsvp.cancel", obj=rsvp, request=request, extra={"event": event.pk}
        )
    return rsvp


def rsvps_cancel_for_erased_user(user) -> None:
    """Erasure handler: free the seats of a deleted account's future RSVPs."""
    now = timezone.now()
    for rsvp in RSVP.objects.filter(
        member=user, status=RSVPStatus.ACTIVE, event__starts_at__gt=now
    ):
        rsvp.status = RSVPStatus.CANCELLED
        rsvp.cancelled_at = now
        rsvp.save(update_fields=["status", "cancelled_at"])


def event_attendance_record(*, actor, event: Event, attended_count: int, request=None) -> Event:
    """Staff note how many people came (RSVP'd or not); no names are recorded."""
    with bounds.enforced(OutOfBounds):
        bounds.validate_attendance(attended_count)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            raise EventCancelled
        locked.attended_count = attended_count
        locked.save(update_fields=["attended_count"])
        audit_record(
            actor=actor,
            action="event.attendance",
            obj=locked,
            request=request,
            extra={"attended": attended_count},
        )
    return locked


# --- visit tally -------------------------------------------------------------------------


def visit_tap(
    *, location: Location, category: VisitCategory | None = None, day: dt.date | None = None
) -> VisitTally:
    """One visitor came in. An atomic ``count = count + 1``: concurrent taps never get lost."""
    if day is None:
        day = timezone.localtime(timezone.now(), Organization.get().tzinfo).date()
    with bounds.enforced(OutOfBounds):
        bounds.check_tally_day(day)
    lookup = {"location": location, "date": day, "category": category}
    with transaction.atomic():
        if not VisitTally.objects.filter(**lookup).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    VisitTally.objects.create(**lookup, count=1)
            except IntegrityError:  # another desk created today's row first
                VisitTally.objects.filter(**lookup).update(count=F("count") + 1)
        return VisitTally.objects.get(**lookup)


def visit_undo(
    *, tally_id: int, tapped_at: dt.datetime, location: Location, now: dt.datetime | None = None
) -> VisitTally:
    """Take back a tap made moments ago (a double tap, the wrong button)."""
    now = now or timezone.now()
    if now - tapped_at > UNDO_WINDOW:
        raise UndoExpired
    with transaction.atomic():
        updated = VisitTally.objects.filter(pk=tally_id, location=location, count__gt=0).update(
            count=F("count") - 1
        )
        if not updated:
            raise UndoExpired
        return VisitTally.objects.get(pk=tally_id)

"""What a schedule change (or archiving) does to a group's future sessions: a read.

``schedule_plan`` compares the sessions a group has from now on with the occurrences of its
(edited, unsaved) schedule, matching them by local date:

* same date, same times → unchanged (a session a coordinator moved by hand stays moved);
* same date, new times → the session moves (bookings go with it, members are told);
* a date the schedule no longer has → removed when nobody holds a booking, otherwise
  cancelled with the members told;
* an occurrence inside the horizon with no session yet → a new session.

Past sessions (started before now) are never touched. The coordinator sees this plan on a
confirmation screen; ``services.group_schedule_update`` applies the same plan under a lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from .models import BookingStatus, GroupSession, SessionStatus, SupportGroup

ACTIVE_STATUSES = [BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]


@dataclass(frozen=True)
class Move:
    session_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    occurrence_start: dt.datetime
    bookings: int
    was_starts_at: dt.datetime
    silent: bool = False  # only the occurrence moved (a hand-moved or cancelled session)


@dataclass(frozen=True)
class Drop:
    session_id: int
    bookings: int
    starts_at: dt.datetime


@dataclass
class SchedulePlan:
    moves: list[Move] = field(default_factory=list)
    cancels: list[Drop] = field(default_factory=list)  # booked: cancelled, members told
    removals: list[Drop] = field(default_factory=list)  # nobody booked: deleted
    creates: list[dt.datetime] = field(default_factory=list)  # occurrence starts

    @property
    def visible_moves(self) -> list[Move]:
        return [m for m in self.moves if not m.silent]

    @property
    def moved_bookings(self) -> int:
        return sum(m.bookings for m in self.visible_moves)

    @property
    def cancelled_bookings(self) -> int:
        return sum(d.bookings for d in self.cancels)

    @property
    def touches_existing(self) -> bool:
        return bool(self.visible_moves or self.cancels or self.removals)

    @property
    def is_empty(self) -> bool:
        return not (self.touches_existing or self.creates)

    def fingerprint(self) -> str:
        """Changes when the plan would differ (a booking came in since the preview)."""
        text = repr(
            (
                [(m.session_id, m.starts_at, m.ends_at, m.bookings) for m in self.visible_moves],
                [(d.session_id, d.bookings) for d in self.cancels],
                [d.session_id for d in self.removals],
                self.creates,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _future_sessions(group: SupportGroup, now: dt.datetime):
    if group.pk is None:
        return []
    return list(
        GroupSession.objects.filter(group_id=group.pk, starts_at__gt=now)
        .annotate(active_bookings=Count("bookings", filter=Q(bookings__status__in=ACTIVE_STATUSES)))
        .order_by("starts_at", "pk")
    )


def schedule_plan(
    *, group: SupportGroup, tz, now: dt.datetime | None = None, keep_schedule: bool = True
) -> SchedulePlan:
    """The changes that bring the group's future sessions in line with ``group``'s schedule.

    ``keep_schedule=False`` plans the end of the group (archiving): every future session
    goes.
    """
    now = now or timezone.now()
    sessions = _future_sessions(group, now)
    horizon_end = now + dt.timedelta(weeks=group.horizon_weeks)
    # Existing sessions beyond the horizon (it may have shrunk) are still judged by the
    # schedule; new ones are only created inside it.
    judge_until = max([horizon_end, *(s.occurrence_start for s in sessions)])
    occurrences = (
        group.planned_occurrences(
            tz=tz, window_start=now, window_end=judge_until + dt.timedelta(days=1)
        )
        if keep_schedule
        else []
    )
    by_date = {o.local_date: o for o in occurrences}
    plan = SchedulePlan()
    matched: set[dt.date] = set()
    for session in sessions:
        day = timezone.localtime(session.occurrence_start, tz).date()
        occurrence = by_date.get(day)
        if occurrence is None or day in matched:
            if session.status == SessionStatus.CANCELLED:
                continue  # already cancelled, members already told: history stays
            drop = Drop(
                session_id=session.pk,
                bookings=session.active_bookings,
                starts_at=session.starts_at,
            )
            (plan.cancels if session.active_bookings else plan.removals).append(drop)
            continue
        matched.add(day)
        hand_moved = session.starts_at != session.occurrence_start
        same = session.occurrence_start == occurrence.start and (
            hand_moved or session.ends_at == occurrence.end
        )
        if same:
            continue
        if hand_moved or session.status == SessionStatus.CANCELLED:
            # Keep the coordinator's own time (or the cancellation); only the link to the
            # occurrence follows, so generation doesn't add a second session that day.
            plan.moves.append(
                Move(
                    session_id=session.pk,
                    starts_at=session.starts_at,
                    ends_at=session.ends_at,
                    occurrence_start=occurrence.start,
                    bookings=session.active_bookings,
                    was_starts_at=session.starts_at,
                    silent=True,
                )
            )
            continue
        plan.moves.append(
            Move(
                session_id=session.pk,
                starts_at=occurrence.start,
                ends_at=occurrence.end,
                occurrence_start=occurrence.start,
                bookings=session.active_bookings,
                was_starts_at=session.starts_at,
            )
        )
    if keep_schedule and group.is_published and not group.is_archived:
        plan.creates = [
            o.start for o in occurrences if o.start < horizon_end and o.local_date not in matched
        ]
    return plan


def plan_lines(plan, group, tz, *, with_dates: bool = True) -> list[dict]:
    """Plain sentences for a plan, each with the dates it concerns."""

    def when(start, end=None) -> str:
        local = timezone.localtime(start, tz)
        text = date_format(local, "D j M Y, H:i")
        return f"{text}–{timezone.localtime(end, tz):%H:%M}" if end else text

    lines = []
    if plan.visible_moves:
        n, booked = len(plan.visible_moves), plan.moved_bookings
        text = ngettext(
            "%(n)d session moves to %(start)s–%(end)s (same date).",
            "%(n)d sessions move to %(start)s–%(end)s (same dates).",
            n,
        ) % {"n": n, "start": f"{group.start_time:%H:%M}", "end": f"{group.end_time:%H:%M}"}
        if booked:
            text += " " + ngettext(
                "The %(b)d member booked or waiting is told by email.",
                "The %(b)d members booked or waiting are told by email.",
                booked,
            ) % {"b": booked}
        dates = [
            f"{when(m.was_starts_at)} → {when(m.starts_at, m.ends_at)}" for m in plan.visible_moves
        ]
        lines.append({"text": text, "dates": dates, "kind": "move"})
    if plan.cancels:
        n, booked = len(plan.cancels), plan.cancelled_bookings
        text = ngettext(
            "%(n)d session with bookings is no longer on the schedule: it is cancelled.",
            "%(n)d sessions with bookings are no longer on the schedule: they are cancelled.",
            n,
        ) % {"n": n}
        text += " " + ngettext(
            "The %(b)d member booked or waiting is told by email.",
            "The %(b)d members booked or waiting are told by email.",
            booked,
        ) % {"b": booked}
        dates = [when(d.starts_at) for d in plan.cancels]
        lines.append({"text": text, "dates": dates, "kind": "cancel"})
    if plan.removals:
        n = len(plan.removals)
        text = ngettext(
            "%(n)d session without bookings is removed.",
            "%(n)d sessions without bookings are removed.",
            n,
        ) % {"n": n}
        dates = [when(d.starts_at) for d in plan.removals]
        lines.append({"text": text, "dates": dates, "kind": "remove"})
    if plan.creates:
        n = len(plan.creates)
        text = ngettext("%(n)d new session is added.", "%(n)d new sessions are added.", n) % {
            "n": n
        }
        lines.append({"text": text, "dates": [when(s) for s in plan.creates], "kind": "create"})
    if not with_dates:
        for line in lines:
            line.pop("dates")
    return lines

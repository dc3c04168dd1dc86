"""Reads scoped to the person asking; a missing or foreign object is a 404."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.certification.qualification import credential_names, qualification_answers
from peerportal.core.models import Organization
from peerportal.core.permissions import has_role
from peerportal.core.rows import read_rows, value_reader

from . import eligibility, statements
from .models import CallRecord, Shift, ShiftAssignment, SwapRequest, SwapStatus, WarmLine
from .permissions import (
    can_read_all_calls,
    is_coordinator,
    lines_user_can_work_on,
    sees_all_lines,
)


def line_list_for(user, *, include_inactive: bool = False):
    qs = WarmLine.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if not sees_all_lines(user):
        qs = qs.filter(members=user)
    return qs.order_by("name")


def visible_lines(user) -> list[WarmLine]:
    """``line_list_for(user)`` (the active lines the user sees, by name) as a list, read by
    one plain statement: the ORM spent ≈ 0.5 ms of CPU building the membership join, four
    times running it, on every board and My shifts page."""
    fields = WarmLine._meta.concrete_fields
    columns = ", ".join(f'l."{field.column}"' for field in fields)
    params: list = [True]
    members = ""
    if not sees_all_lines(user):
        members = " JOIN warmline_warmline_members m ON m.warmline_id = l.id AND m.user_id = %s"
        params.insert(0, user.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM warmline_warmline l{members} "  # noqa: S608 (model columns)
            "WHERE l.is_active = %s ORDER BY l.name",
            params,
        )
        fetched = cursor.fetchall()
    names, alias = [field.attname for field in fields], connection.alias
    return [WarmLine.from_db(alias, names, row) for row in read_rows(fields, fetched)]


def lines_workable_for(user, lines) -> set[int]:
    """``lines_user_can_work_on`` for lines from ``line_list_for(user)``: someone who does not
    see all lines sees only the lines they are a program member of, so those are exactly the
    ones they may work on (if staff), with no query."""
    if not sees_all_lines(user):
        return {line.pk for line in lines} if has_role(user, "staff") else set()
    return lines_user_can_work_on(user, lines)


def line_get_for(user, pk: int) -> WarmLine:
    return get_object_or_404(line_list_for(user, include_inactive=True), pk=pk)


def shift_list_for(
    user,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    line_id: int | None = None,
    lines=None,
):
    """Shifts of the lines the user sees, with ``staffed`` and ``mine`` in the same query.

    ``lines``: ``line_list_for(user)`` already loaded (their ids replace the subquery)."""
    visible = [line.pk for line in lines] if lines is not None else line_list_for(user)
    qs = (
        Shift.objects.filter(line__in=visible)
        .select_related("line")
        .with_coverage()
        .annotate(
            mine=Exists(
                ShiftAssignment.objects.filter(shift=OuterRef("pk"), person=user, is_active=True)
            )
        )
        .order_by("starts_at", "id")
    )
    if start is not None:
        qs = qs.filter(starts_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if line_id:
        qs = qs.filter(line_id=line_id)
    return qs


def board_shifts(
    user, *, start: dt.datetime, end: dt.datetime, lines, line_id: int | None = None
) -> tuple[list[Shift], list[Shift]]:
    """The board's week in one query: ``shift_list_for(user, start=…, end=…, line_id=…)``
    (with ``staffed`` and ``mine``) and ``my_shifts_between(user, start, end)``, the
    shifts the user is on around the week, on any line (the weekly maximum and overlaps
    count them all). ``lines``: ``line_list_for(user)``, loaded; each shown shift's
    ``line`` is one of them (no join).

    One plain statement: the ORM spent ≈ 2 ms of CPU building the count, the two
    subqueries and the grouping, three times running it."""
    by_id = {line.pk: line for line in lines}
    shown_lines = [pk for pk in ([line_id] if line_id else by_id) if pk in by_id]
    margin = dt.timedelta(days=8)
    adapt = connection.ops.adapt_datetimefield_value
    shown = "1 = 0"
    if shown_lines:
        shown = f"w.line_id IN ({', '.join(['%s'] * len(shown_lines))})"
        shown += " AND w.starts_at >= %s AND w.starts_at < %s"
    fields = Shift._meta.concrete_fields
    sql = statements.BOARD_SQL.format(
        columns=", ".join(f's."{field.column}"' for field in fields), shown=shown
    )
    params = [True, user.pk, True]
    if shown_lines:
        params += [*shown_lines, adapt(start), adapt(end)]
    params += [user.pk, True, adapt(end + margin), adapt(start - margin)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    names, alias, line = [field.attname for field in fields], connection.alias, Shift.line.field
    rows = []
    for *values, staffed, mine in read_rows(fields, fetched):
        shift = Shift.from_db(alias, names, values)
        shift.staffed, shift.mine = staffed, bool(mine)
        rows.append(shift)
    week = []
    for shift in rows:
        if start <= shift.starts_at < end and shift.line_id in shown_lines:
            line.set_cached_value(shift, by_id[shift.line_id])  # shift.line, no query
            week.append(shift)
    return week, [shift for shift in rows if shift.mine]


def shift_get_for(user, pk: int) -> Shift:
    return get_object_or_404(shift_list_for(user), pk=pk)


def assignment_list_for(user, *, upcoming: bool = True, now: dt.datetime | None = None):
    """``user``'s active assignments (a person or their id), soonest first; with
    ``upcoming``, those whose shift has not ended by ``now`` (default: now)."""
    qs = ShiftAssignment.objects.filter(person=user, is_active=True).select_related("shift__line")
    if upcoming:
        qs = qs.filter(shift__ends_at__gt=now or timezone.now())
    return qs.order_by("shift__starts_at")


def my_shift_rows(user, *, since: dt.datetime) -> list[dict]:
    """The user's active assignments on shifts that end after ``since``, as the plain rows
    My shifts shows (its list: those that end after now; its hours: this week's and next):
    the assignment's and shift's ids, the times, the line's name and the open or taken
    swap's status and taker (at most one per assignment, a constraint).

    One plain statement: the ORM spent ≈ 1.3 ms of CPU building the four joins and the
    filtered relation, four times running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            statements.MY_SHIFTS_SQL,
            [
                SwapStatus.OPEN.value,
                SwapStatus.TAKEN.value,
                user.pk,
                True,
                connection.ops.adapt_datetimefield_value(since),
            ],
        )
        fetched = cursor.fetchall()
    aware = value_reader(Shift._meta.get_field("starts_at"))
    return [
        {
            "pk": pk,
            "shift_id": shift_id,
            "starts_at": aware(starts_at),
            "ends_at": aware(ends_at),
            "line": line,
            "swap_status": swap_status,
            "swap_taker": swap_taker,
        }
        for pk, shift_id, starts_at, ends_at, line, swap_status, swap_taker in fetched
    ]


def assignment_get_for(user, pk: int) -> ShiftAssignment:
    """One's own active assignment."""
    return get_object_or_404(assignment_list_for(user, upcoming=False), pk=pk)


def shift_roster(shift: Shift):
    """Display names on a shift: staff pages only (never shown to members)."""
    return (
        ShiftAssignment.objects.filter(shift=shift, is_active=True)
        .select_related("person")
        .order_by("slot", "id")
    )


def swap_list_for(user):
    """Open and pending swaps on the lines the user sees."""
    return (
        SwapRequest.objects.filter(
            status__in=["open", "taken"],
            assignment__shift__starts_at__gt=timezone.now(),
            assignment__shift__line__in=line_list_for(user),
        )
        .select_related("assignment__shift__line", "assignment__person", "taker")
        .order_by("assignment__shift__starts_at", "id")
    )


def swap_get_for(user, pk: int) -> SwapRequest:
    return get_object_or_404(swap_list_for(user), pk=pk)


def _call_records_for(user):
    qs = CallRecord.objects.all()
    if not can_read_all_calls(user):
        qs = qs.filter(author=user)
    return qs.order_by("-started_at", "-id")


def call_record_list_for(user):
    return _call_records_for(user).select_related("line").prefetch_related("topics", "referrals")


def call_record_rows_for(user) -> CallRecordRows:
    """``call_record_list_for`` as plain rows for the call log, for ``Paginator``: the
    shown fields and the line's name only (no model instances; topics and referrals:
    ``call_record_labels``)."""
    return CallRecordRows(None if can_read_all_calls(user) else user.pk)


class CallRecordRows:
    """The call records a user may read, newest first, as a paginator reads them: its
    ``count()`` and one page's slice, each one plain statement (the ORM spent ≈ 1.3 ms of
    CPU building the two, four times running them). A slice is a list of dicts with
    ``id``, ``author_id``, ``contact_type``, ``started_at``, ``duration_minutes``,
    ``follow_up_offered``, ``created_at`` and ``line__name``."""

    FIELDS = (
        "id",
        "author_id",
        "contact_type",
        "started_at",
        "duration_minutes",
        "follow_up_offered",
        "created_at",
    )

    def __init__(self, author_id: int | None):
        self.where, self.params = "", []
        if author_id is not None:  # only the author's own records
            self.where, self.params = " WHERE c.author_id = %s", [author_id]

    def count(self) -> int:
        with connection.cursor() as cursor:
            sql = f"SELECT COUNT(*) FROM warmline_callrecord c{self.where}"  # noqa: S608 (fixed)
            cursor.execute(sql, self.params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        if not isinstance(page, slice) or page.step is not None or page.stop is None:
            raise TypeError("call record rows are read a page (a bounded slice) at a time")
        start = page.start or 0
        fields = [CallRecord._meta.get_field(name) for name in self.FIELDS]
        columns = ", ".join(f'c."{field.column}"' for field in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, l.name FROM warmline_callrecord c "  # noqa: S608 (fixed)
                f"JOIN warmline_warmline l ON l.id = c.line_id{self.where} "
                "ORDER BY c.started_at DESC, c.id DESC LIMIT %s OFFSET %s",
                [*self.params, max(page.stop - start, 0), start],
            )
            fetched = cursor.fetchall()
        names = (*self.FIELDS, "line__name")
        return [dict(zip(names, row, strict=True)) for row in read_rows(fields, fetched)]


def call_record_labels(rows) -> None:
    """Give each call-log row ``topics`` and ``referrals``: the names, by name, joined with
    ", " (one plain statement on the link tables for the rows of one page: the two ORM
    queries it replaces cost ≈ 1.5 ms of CPU to build, against 0.3 ms)."""
    ids = [row["id"] for row in rows]
    names: tuple[dict[int, list[str]], dict[int, list[str]]] = ({}, {})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(statements.labels_sql(len(ids)), ids * 2)
            for record_id, kind, label in cursor.fetchall():
                names[kind].setdefault(record_id, []).append(label)
    topics, referrals = names
    for row in rows:
        row["topics"] = ", ".join(topics.get(row["id"], ()))
        row["referrals"] = ", ".join(referrals.get(row["id"], ()))


def call_record_get_for(user, pk: int) -> CallRecord:
    """Only the author opens a record for correction."""
    return get_object_or_404(CallRecord.objects.filter(author=user), pk=pk)


def coverage_gaps_for(user, *, days: int = 7, now: dt.datetime | None = None):
    """Short shifts (fewer than the minimum staff) starting in the next ``days`` days."""
    now = now or timezone.now()
    return shift_list_for(user, start=now, end=now + dt.timedelta(days=days)).filter(
        staffed__lt=F("min_staff")
    )


def my_shifts_between(user, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """Shifts the user is actively on that overlap or share a week with [start, end)."""
    margin = dt.timedelta(days=8)
    return list(
        Shift.objects.filter(
            assignments__person=user,
            assignments__is_active=True,
            starts_at__lt=end + margin,
            ends_at__gt=start - margin,
        ).distinct()
    )


def eligibility_for(
    user,
    shifts,
    *,
    my_shifts: list[Shift] | None = None,
    workable_line_ids: set[int] | None = None,
) -> dict[int, str]:
    """Why the user may not take each shift (shift id → reason), for shifts they are not on.

    The same rules as signing up (``eligibility.refusal``), in a fixed number of queries,
    so pages show the reason beside a disabled button before anyone clicks. Shifts the
    user may take are left out. A full shift is left to the page (it says "Full").
    Pages that already loaded the user's shifts around or the lines they may work on pass
    them in.
    """
    return eligibility_and_names(
        user, shifts, my_shifts=my_shifts, workable_line_ids=workable_line_ids
    )[0]


def eligibility_and_names(
    user,
    shifts,
    *,
    shown=(),
    my_shifts: list[Shift] | None = None,
    workable_line_ids: set[int] | None = None,
) -> tuple[dict[int, str], dict[str, str]]:
    """``eligibility_for`` ``shifts``, and the names (by code) of the credentials the
    ``shifts`` and the ``shown`` shifts require (a page names them beside each shift): both
    come from the same read of the user's certifications."""
    shifts = list(shifts)
    codes = {s.required_qualification for s in shown if s.required_qualification}
    if not shifts:
        return {}, credential_names(codes)
    if my_shifts is None:
        my_shifts = my_shifts_between(
            user, min(s.starts_at for s in shifts), max(s.ends_at for s in shifts)
        )
    allowed = (
        workable_line_ids
        if workable_line_ids is not None
        else lines_user_can_work_on(user, {s.line for s in shifts})
    )
    qualification = qualification_answers(
        person=user,
        shown=codes,
        asks={
            (s.required_qualification, s.starts_at)
            for s in shifts
            if s.required_qualification and s.line_id in allowed
        },
    )
    tz = Organization.get().tzinfo
    out = {}
    for shift in shifts:
        error = eligibility.refusal(
            shift=shift,
            is_member=shift.line_id in allowed,
            qualification_reason=qualification.reasons.get(
                (shift.required_qualification, shift.starts_at)
            ),
            my_shifts=[s for s in my_shifts if s.pk != shift.pk],
            tz=tz,
        )
        if error is not None:
            out[shift.pk] = str(error)
    return out, qualification.names


def week_hours_for(user, moment: dt.datetime, my_shifts: list[Shift] | None = None) -> float:
    """Hours of shifts the user is on in ``moment``'s local week (the weekly maximum's count)."""
    tz = Organization.get().tzinfo
    monday = eligibility.week_start(moment, tz)
    if my_shifts is None:
        my_shifts = my_shifts_between(user, monday, monday + dt.timedelta(days=7))
    return eligibility.week_hours(my_shifts, moment, tz)


def weekly_limits_for(user, lines=None) -> list[tuple[str, int]]:
    """(line name, maximum hours a week) for the active lines the user works on.

    ``lines`` (the user's visible lines, already loaded) saves a query.
    """
    if lines is None:
        lines = visible_lines(user)
    workable = lines_workable_for(user, lines)
    return [(line.name, line.max_hours_per_week) for line in lines if line.pk in workable]


def swap_history_for(user, *, days: int = 60, limit: int = 30) -> list[dict]:
    """Decided swaps (approved, declined, withdrawn) of the last ``days`` days that concern
    the user: they offered or took it, decided it, or (supervisors) supervise the person
    who offered it; coordinators see all. Newest first, as plain rows of what the list
    shows: the swap's id and status, the shift's times and line, the names of who offered,
    took (``taker_id`` None: nobody) and decided it (``decided_by_id`` None: nobody).

    One plain statement: the ORM spent ≈ 1.5 ms of CPU building the five joins."""
    params = [
        SwapStatus.APPROVED.value,
        SwapStatus.DECLINED.value,
        SwapStatus.CANCELLED.value,
        connection.ops.adapt_datetimefield_value(timezone.now() - dt.timedelta(days=days)),
    ]
    scope = ""
    if not is_coordinator(user):
        scope = " AND (a.person_id = %s OR w.taker_id = %s OR w.decided_by_id = %s"
        params += [user.pk] * 3
        if sees_all_lines(user):
            scope += (
                " OR a.person_id IN (SELECT u.id FROM accounts_user u WHERE u.supervisor_id = %s)"
            )
            params.append(user.pk)
        scope += ")"
    with connection.cursor() as cursor:
        cursor.execute(statements.SWAP_HISTORY_SQL.format(scope=scope), [*params, limit])
        fetched = cursor.fetchall()
    aware = value_reader(Shift._meta.get_field("starts_at"))
    return [
        {
            "pk": pk,
            "status": status,
            "starts_at": aware(starts_at),
            "ends_at": aware(ends_at),
            "line": line,
            "person": person,
            "taker_id": taker_id,
            "taker": taker,
            "decided_by_id": decided_by_id,
            "decided_by": decided_by,
        }
        for (
            pk,
            status,
            starts_at,
            ends_at,
            line,
            person,
            taker_id,
            taker,
            decided_by_id,
            decided_by,
        ) in fetched
    ]


def shifts_user_is_on(user, shifts) -> set[int]:
    """Ids of the given shifts the user is actively on (one query)."""
    return set(
        ShiftAssignment.objects.filter(
            person=user, is_active=True, shift__in=[s.pk for s in shifts]
        ).values_list("shift_id", flat=True)
    )

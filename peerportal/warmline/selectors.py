"""Reads scoped to the person asking; a missing or foreign object is a 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import CallRecord, Shift, ShiftAssignment, SwapRequest, WarmLine
from .permissions import can_read_all_calls, sees_all_lines


def line_list_for(user, *, include_inactive: bool = False):
    qs = WarmLine.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if not sees_all_lines(user):
        qs = qs.filter(members=user)
    return qs.order_by("name")


def line_get_for(user, pk: int) -> WarmLine:
    return get_object_or_404(line_list_for(user, include_inactive=True), pk=pk)


def shift_list_for(
    user,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    line_id: int | None = None,
):
    """Shifts of the lines the user sees, with ``staffed`` and ``mine`` in the same query."""
    qs = (
        Shift.objects.filter(line__in=line_list_for(user))
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


def shift_get_for(user, pk: int) -> Shift:
    return get_object_or_404(shift_list_for(user), pk=pk)


def assignment_list_for(user, *, upcoming: bool = True):
    qs = ShiftAssignment.objects.filter(person=user, is_active=True).select_related("shift__line")
    if upcoming:
        qs = qs.filter(shift__ends_at__gt=timezone.now())
    return qs.order_by("shift__starts_at")


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


def call_record_list_for(user):
    qs = CallRecord.objects.select_related("line").prefetch_related("topics", "referrals")
    if not can_read_all_calls(user):
        qs = qs.filter(author=user)
    return qs.order_by("-started_at", "-id")


def call_record_get_for(user, pk: int) -> CallRecord:
    """Only the author opens a record for correction."""
    return get_object_or_404(CallRecord.objects.filter(author=user), pk=pk)


def coverage_gaps_for(user, *, days: int = 7, now: dt.datetime | None = None):
    """Short shifts (fewer than the minimum staff) starting in the next ``days`` days."""
    now = now or timezone.now()
    return shift_list_for(user, start=now, end=now + dt.timedelta(days=days)).filter(
        staffed__lt=F("min_staff")
    )

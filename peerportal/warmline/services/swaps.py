"""Swaps: a shift offered, taken, decided by the supervisor, and handed over."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.reminders.services import notify, reminders_cancel_for, reminders_schedule_before

from .. import exceptions
from ..models import Shift, ShiftAssignment, SwapRequest
from ..permissions import can_decide_swap
from .assignments import check_eligibility
from .kinds import KIND_SHIFT_UPCOMING, KIND_SWAP


def swap_offer(*, assignment: ShiftAssignment, actor, request=None) -> SwapRequest:
    """The assigned person asks colleagues to cover; they keep the shift until someone does."""
    with transaction.atomic():
        assignment = (
            ShiftAssignment.objects.select_for_update()
            .select_related("shift")
            .get(pk=assignment.pk)
        )
        if (
            assignment.person_id != actor.pk
            or not assignment.is_active
            or assignment.shift.starts_at <= timezone.now()
        ):
            raise exceptions.SwapNotOpen
        swap = SwapRequest.objects.filter(
            assignment=assignment, status__in=["open", "taken"]
        ).first()
        if swap is None:
            swap = SwapRequest.objects.create(assignment=assignment)
            audit_record(actor=actor, action="swap.offer", obj=swap, request=request)
    return swap


def swap_cancel(*, swap: SwapRequest, actor, request=None) -> SwapRequest:
    """The offering person withdraws an offer that is not approved yet."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__shift__line", "taker")
            .get(pk=swap.pk)
        )
        if swap.assignment.person_id != actor.pk or swap.status not in ("open", "taken"):
            raise exceptions.SwapNotOpen
        swap.status = "cancelled"
        swap.save(update_fields=["status"])
        audit_record(actor=actor, action="swap.cancel", obj=swap, request=request)
        if swap.taker_id:
            notify(kind=KIND_SWAP, target=swap, recipient=swap.taker)
    return swap


def swap_take(*, swap: SwapRequest, taker, request=None) -> SwapRequest:
    """A colleague takes the shift: the same checks as signing up. Approval may follow."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__shift__line", "assignment__person__supervisor")
            .get(pk=swap.pk)
        )
        if swap.status != "open" or swap.assignment.person_id == taker.pk:
            raise exceptions.SwapNotOpen
        shift = (
            Shift.objects.select_for_update()
            .select_related("line")
            .get(pk=swap.assignment.shift_id)
        )
        if shift.starts_at <= timezone.now():
            raise exceptions.SwapNotOpen
        if ShiftAssignment.objects.filter(shift=shift, person=taker, is_active=True).exists():
            raise exceptions.WarmLineError(_("You are already on this shift."))
        check_eligibility(person=taker, shift=shift)
        swap.taker = taker
        swap.status = "taken"
        swap.save(update_fields=["taker", "status"])
        audit_record(actor=taker, action="swap.take", obj=swap, request=request)
        if not shift.line.swaps_need_approval:
            return _swap_complete(swap=swap, decider=None, request=request)
        notify(kind=KIND_SWAP, target=swap, recipient=swap.assignment.person)
        notify(kind=KIND_SWAP, target=swap, recipient=taker)
        if swap.assignment.person.supervisor_id:
            notify(kind=KIND_SWAP, target=swap, recipient=swap.assignment.person.supervisor)
    return swap


def swap_decide(*, swap: SwapRequest, supervisor, approve: bool, request=None) -> SwapRequest:
    """The offering person's supervisor (or a coordinator) approves or declines a taken swap."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__person", "taker")
            .get(pk=swap.pk)
        )
        if swap.status != "taken":
            raise exceptions.SwapNotOpen
        if not can_decide_swap(supervisor, swap):
            raise exceptions.WarmLineError(
                _("Only the staff member's supervisor can decide this swap.")
            )
        if not approve:
            swap.status, swap.decided_by = "declined", supervisor
            swap.save(update_fields=["status", "decided_by"])
            audit_record(actor=supervisor, action="swap.decline", obj=swap, request=request)
            for person in (swap.assignment.person, swap.taker):
                notify(kind=KIND_SWAP, target=swap, recipient=person)
            return swap
        return _swap_complete(swap=swap, decider=supervisor, request=request)


def _swap_complete(*, swap: SwapRequest, decider, request=None) -> SwapRequest:
    """Inside a transaction: the offered assignment ends and the taker's begins, in the same slot."""
    shift = (
        Shift.objects.select_for_update().select_related("line").get(pk=swap.assignment.shift_id)
    )
    old = ShiftAssignment.objects.select_for_update().get(pk=swap.assignment_id)
    if not old.is_active:
        raise exceptions.SwapNotOpen
    check_eligibility(person=swap.taker, shift=shift)  # again: things may have changed
    slot = old.slot
    old.is_active, old.slot = False, None
    old.save(update_fields=["is_active", "slot"])
    reminders_cancel_for(target=old)
    new = ShiftAssignment.objects.create(shift=shift, person=swap.taker, slot=slot)
    reminders_schedule_before(
        kind=KIND_SHIFT_UPCOMING, target=new, recipient=swap.taker, starts_at=shift.starts_at
    )
    swap.status, swap.decided_by = "approved", decider
    swap.save(update_fields=["status", "decided_by"])
    audit_record(actor=decider or swap.taker, action="swap.approve", obj=swap, request=request)
    for person in (old.person, swap.taker):
        notify(kind=KIND_SWAP, target=swap, recipient=person)
    return swap

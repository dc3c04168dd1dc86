"""Shift swaps: offering one's shift for cover, taking it, a supervisor deciding."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.permissions import role_required

from .. import selectors, services
from ..exceptions import WarmLineError
from ..permissions import can_decide_swap


@require_GET
@role_required("staff")
def swap_list(request):
    """Open and pending swaps, each with whether the user may take it (and why not), and
    the recently decided ones that concern the user."""
    open_swaps = list(selectors.swap_list_for(request.user))
    takeable = [
        s.assignment.shift
        for s in open_swaps
        if s.status == "open" and s.assignment.person_id != request.user.pk
    ]
    refusals = selectors.eligibility_for(request.user, takeable)
    on_shift = selectors.shifts_user_is_on(request.user, takeable)
    swaps = [
        {
            "swap": s,
            "can_decide": s.status == "taken" and can_decide_swap(request.user, s),
            "refusal": (
                _("You are already on this shift.")
                if s.assignment.shift_id in on_shift
                else refusals.get(s.assignment.shift_id)
            ),
        }
        for s in open_swaps
    ]
    return render(
        request,
        "warmline/swap_list.html",
        {"swaps": swaps, "history": selectors.swap_history_for(request.user)},
    )


@require_POST
@role_required("staff")
def swap_offer(request, pk: int):
    """Offer one's own shift to colleagues, or (``withdraw=1``) withdraw that offer."""
    assignment = selectors.assignment_get_for(request.user, pk)
    try:
        if request.POST.get("withdraw") == "1":
            swap = get_object_or_404(selectors.swap_list_for(request.user), assignment=assignment)
            services.swap_cancel(swap=swap, actor=request.user, request=request)
            messages.success(request, _("Your offer is withdrawn; the shift stays yours."))
        else:
            services.swap_offer(assignment=assignment, actor=request.user, request=request)
            messages.success(request, _("Your shift is offered to colleagues."))
    except WarmLineError as exc:
        messages.error(request, str(exc))
    return redirect("warmline:swap-list")


@require_POST
@role_required("staff")
def swap_take(request, pk: int):
    swap = selectors.swap_get_for(request.user, pk)
    try:
        swap = services.swap_take(swap=swap, taker=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        if swap.status == "approved":
            messages.success(request, _("Thank you for covering. The shift is now yours."))
        else:
            messages.success(
                request, _("Thank you for covering. A supervisor will confirm the swap.")
            )
    return redirect("warmline:swap-list")


@require_POST
@role_required("supervisor")
def swap_decide(request, pk: int):
    swap = selectors.swap_get_for(request.user, pk)
    try:
        services.swap_decide(
            swap=swap,
            supervisor=request.user,
            approve=request.POST.get("approve") == "1",
            request=request,
        )
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Swap decided; everyone involved has been told."))
    return redirect("warmline:swap-list")

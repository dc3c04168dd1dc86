"""Standing places: a member's list, joining, pausing, leaving and keeping one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit

from .. import selectors, standing
from ..exceptions import GroupsError
from ..forms import StandingJoinForm, StandingPauseForm


@require_GET
@role_required("member")
def standing_list(request):
    places = selectors.standing_place_list_for(request.user)
    today = timezone.localdate()
    return render(
        request,
        "groups/standing_list.html",
        {"places": places, "pause_form": StandingPauseForm(today=today)},
    )


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def standing_join(request, pk: int):
    group = selectors.group_get_public(pk)
    form = StandingJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose every week or every other week."))
        return redirect("groups:group-detail", pk=group.pk)
    try:
        standing.standing_place_join(
            group=group, member=request.user, cadence=form.cleaned_data["cadence"], request=request
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
        return redirect("groups:group-detail", pk=group.pk)
    messages.success(
        request,
        _(
            "You hold a standing place. Your seats are in My bookings; skip any date you can't make."
        ),
    )
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_pause(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    form = StandingPauseForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return redirect("groups:standing-list")
    try:
        standing.standing_place_pause(
            place=place, member=request.user, request=request, **form.cleaned_data
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your standing place is paused for those dates."))
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_leave(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    try:
        standing.standing_place_leave(place=place, member=request.user, request=request)
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You left your standing place. Its coming seats go to others."))
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_keep(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    try:
        standing.standing_place_keep(place=place, member=request.user, request=request)
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you. Your standing place is kept."))
    return redirect("groups:standing-list")

"""Coordinators: managing groups, their schedules and places, and moving or cancelling sessions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.models import Organization
from peerportal.core.permissions import role_required

from .. import selectors, services, standing
from ..exceptions import GroupHasBookings, GroupsError, PlanChanged
from ..forms import GroupForm, GroupPlacesForm, SessionCancelForm, SessionMoveForm
from ..planning import plan_lines, schedule_plan
from ._common import _next_dates


@require_GET
@role_required("coordinator")
def group_manage_list(request):
    page = Paginator(selectors.group_list_for_coordinator(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/group_manage_list.html", {"page": page})


@role_required("coordinator")
def group_edit(request, pk: int | None = None):
    """Create or edit a group. When an edit changes existing sessions, the coordinator first
    sees exactly what will happen (moves, cancellations, removals, new sessions) and
    confirms; the confirmation carries the plan's fingerprint so a booking made meanwhile
    shows the new plan instead of applying a different one."""
    group = selectors.group_get_for_coordinator(request.user, pk) if pk else None
    form = GroupForm(request.POST or None, instance=group)
    context = {"form": form, "group": group}
    if request.method == "POST" and form.is_valid():
        edited = form.instance
        tz = Organization.get().tzinfo
        plan = schedule_plan(group=edited, tz=tz) if edited.pk else None
        confirmed = request.POST.get("confirm_plan")
        if plan is not None and plan.touches_existing and confirmed != plan.fingerprint():
            if confirmed:
                messages.warning(request, str(PlanChanged.message))
            return render(
                request,
                "groups/group_confirm_schedule.html",
                {**context, "plan": plan, "plan_lines": plan_lines(plan, edited, tz)},
            )
        try:
            plan = services.group_save(
                actor=request.user,
                group=edited,
                topics=form.cleaned_data["topics"],
                facilitators=form.cleaned_data["facilitators"],
                expected_plan=confirmed or None,
                request=request,
            )
        except PlanChanged as exc:  # someone booked meanwhile: show the plan as it is now
            messages.warning(request, str(exc))
            plan = schedule_plan(group=edited, tz=tz)
            return render(
                request,
                "groups/group_confirm_schedule.html",
                {**context, "plan": plan, "plan_lines": plan_lines(plan, edited, tz)},
            )
        except GroupsError as exc:
            form.add_error(None, str(exc))
            return render(request, "groups/group_form.html", context)
        messages.success(request, _("Group saved."))
        for line in plan_lines(plan, edited, tz, with_dates=False):
            messages.info(request, line["text"])
        return redirect("groups:group-manage-list")
    if group is not None:
        context["summary"] = group.schedule_summary()
        context["next_dates"] = _next_dates(group)
    return render(request, "groups/group_form.html", context)


@require_POST
@role_required("coordinator")
def schedule_preview(request):
    """HTMX: the schedule builder's summary and next dates for the form as it is now."""
    pk = request.POST.get("group") or ""
    group = selectors.group_get_for_coordinator(request.user, int(pk)) if pk.isdigit() else None
    form = GroupForm(request.POST, instance=group)
    form.is_valid()
    schedule_fields = set(GroupForm.SCHEDULE_FIELDS)
    # Fields not filled in yet are not mistakes while the coordinator is still typing.
    errors = [
        message
        for name, errs in form.errors.as_data().items()
        if name in schedule_fields
        for error in errs
        if error.code != "required"
        for message in error.messages
    ]
    missing = any(name in schedule_fields for name in form.errors)
    context = {"errors": errors}
    if not errors and not missing and getattr(form, "schedule", None) is not None:
        edited = form.instance
        context["summary"] = edited.schedule_summary()
        context["next_dates"] = _next_dates(edited)
    return render(request, "groups/_schedule_preview.html", context)


@role_required("coordinator")
def group_archive(request, pk: int):
    group = selectors.group_get_for_coordinator(request.user, pk)
    if group.is_archived:
        messages.info(request, _("This group is already archived."))
        return redirect("groups:group-manage-list")
    tz = Organization.get().tzinfo
    if request.method == "POST":
        plan = services.group_archive(actor=request.user, group=group, request=request)
        messages.success(request, _("The group is archived."))
        for line in plan_lines(plan, group, tz, with_dates=False):
            messages.info(request, line["text"])
        return redirect("groups:group-manage-list")
    plan = schedule_plan(group=group, tz=tz, keep_schedule=False)
    return render(
        request,
        "groups/group_archive.html",
        {"group": group, "plan": plan, "plan_lines": plan_lines(plan, group, tz)},
    )


@role_required("coordinator")
def group_delete(request, pk: int):
    group = selectors.group_get_for_coordinator(request.user, pk)
    has_bookings = selectors.group_has_bookings(group)
    if request.method == "POST" and not has_bookings:
        try:
            services.group_delete(actor=request.user, group=group, request=request)
        except GroupsError as exc:
            messages.error(request, str(exc))
            return redirect("groups:group-delete", pk=pk)
        messages.success(request, _("The group was deleted."))
        return redirect("groups:group-manage-list")
    if request.method == "POST":
        messages.error(request, str(GroupHasBookings.message))
    return render(
        request,
        "groups/group_delete.html",
        {"group": group, "has_bookings": has_bookings, "sessions": group.sessions.count()},
    )


@role_required("coordinator")
def session_cancel(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.session_cancel(
            actor=request.user, session=session, notice=form.cleaned_data["notice"], request=request
        )
        messages.success(request, _("The session was cancelled and booked members were told."))
        return redirect("groups:session-roster", pk=session.pk)
    return render(request, "groups/session_cancel.html", {"form": form, "session": session})


@role_required("coordinator")
def session_move(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    tz = Organization.get().tzinfo
    local_start = timezone.localtime(session.starts_at, tz)
    form = SessionMoveForm(
        request.POST or None,
        initial={
            "date": local_start.date(),
            "start": local_start.time(),
            "end": timezone.localtime(session.ends_at, tz).time(),
        },
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_move(
                actor=request.user,
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                notice=form.cleaned_data["notice"],
                request=request,
            )
        except GroupsError as exc:
            form.add_error(None, str(exc))
            return render(request, "groups/session_move.html", {"form": form, "session": session})
        messages.success(request, _("The session was moved and booked members were told."))
        return redirect("groups:session-roster", pk=session.pk)
    return render(request, "groups/session_move.html", {"form": form, "session": session})


@role_required("coordinator")
def group_places_edit(request, pk: int):
    """Waitlist offers and standing places for one group (a form apart from the schedule)."""
    group = selectors.group_get_for_coordinator(request.user, pk)
    form = GroupPlacesForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            standing.group_places_update(actor=request.user, group=form.instance, request=request)
        except GroupsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Place settings saved."))
            return redirect("groups:group-manage-list")
    return render(request, "groups/group_places_form.html", {"form": form, "group": group})


@require_GET
@role_required("coordinator")
def group_sessions_overview(request, pk: int):
    """Who is coming to each session: regulars, one-offs, the waitlist and open offers."""
    group = selectors.group_get_for_coordinator(request.user, pk)
    page = Paginator(
        selectors.group_sessions_attendance_for_coordinator(request.user, group), 25
    ).get_page(request.GET.get("page"))
    return render(request, "groups/group_sessions_overview.html", {"group": group, "page": page})

"""Trainings the organization runs: roster, attendance, credit, certificates."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.permissions import role_required

from .. import selectors, services
from ..exceptions import CertificationError
from ..forms import AttendanceForm, AttendeeAddForm, TrainingEventForm
from ..permissions import can_manage_trainings


@require_GET
@role_required("staff")
def training_list(request):
    page = Paginator(selectors.training_event_list_for(request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "certification/training_list.html",
        {
            "page": page,
            "credits": selectors.training_credit_list_for(request.user)[:20],
            "can_manage": can_manage_trainings(request.user),
        },
    )


@role_required("coordinator")
def training_create(request):
    return _training_form(request, event=None)


@role_required("coordinator")
def training_edit(request, pk: int):
    event = selectors.training_event_get_for_edit(request.user, pk)
    if event.is_closed:
        messages.info(request, _("This training's attendance is closed: it can't be edited."))
        return redirect("certification:training-list")
    return _training_form(request, event=event)


def _training_form(request, *, event):
    initial = TrainingEventForm.initial_for(event) if event else None
    form = TrainingEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_event_save(
                actor=request.user, event=event, request=request, **form.service_kwargs()
            )
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Training saved."))
            return redirect("certification:training-list")
    return render(request, "certification/training_form.html", {"form": form, "event": event})


@require_POST
@role_required("staff")
def training_register(request, pk: int):
    """Put oneself on a training's roster (``action=register``) or off it (``withdraw``)."""
    event = selectors.training_event_get(request.user, pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.training_attendee_withdraw(person=request.user, event=event, request=request)
            messages.success(request, _("You are off the roster."))
        else:
            services.training_attendee_register(person=request.user, event=event, request=request)
            messages.success(request, _("You are on the roster."))
    except CertificationError as exc:
        messages.error(request, str(exc))
    return redirect("certification:training-list")


@role_required("staff")
def training_attendance(request, pk: int):
    """The facilitator's roster: mark who came, add someone; after closing, add a late one."""
    event = selectors.training_event_get_for_attendance(request.user, pk)
    roster = list(selectors.training_roster(event))
    action = request.POST.get("action") if request.method == "POST" else None
    attendance = AttendanceForm(
        request.POST if action == "save" else None, roster=roster, prefix="attendance"
    )
    add = AttendeeAddForm(
        request.POST if action == "add" else None,
        candidates=selectors.training_roster_candidates(event),
        prefix="add",
    )
    try:
        if action == "save" and attendance.is_valid():
            count = services.training_attendance_record(
                actor=request.user,
                event=event,
                present_ids=attendance.cleaned_data["present"],
                request=request,
            )
            messages.success(request, _("Attendance saved: %(n)s present.") % {"n": count})
            return redirect("certification:training-attendance", pk=event.pk)
        if action == "add" and add.is_valid():
            services.training_attendee_add(
                actor=request.user, event=event, person=add.cleaned_data["person"], request=request
            )
            messages.success(
                request,
                _("Added and credited.") if event.is_closed else _("Added and marked present."),
            )
            return redirect("certification:training-attendance", pk=event.pk)
    except CertificationError as exc:
        (attendance if action == "save" else add).add_error(None, str(exc))
    return render(
        request,
        "certification/training_attendance.html",
        {"event": event, "roster": roster, "attendance": attendance, "add": add},
    )


@role_required("staff")
def training_close(request, pk: int):
    """Confirm, then close: how many staff get how many hours is shown before anything."""
    event = selectors.training_event_get_for_attendance(request.user, pk)
    if event.is_closed:
        messages.info(request, _("This training's attendance is already closed."))
        return redirect("certification:training-attendance", pk=event.pk)
    error = None
    if request.method == "POST":
        try:
            count = services.training_event_close(actor=request.user, event=event, request=request)
        except CertificationError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance closed: %(n)s staff member was credited.",
                    "Attendance closed: %(n)s staff members were credited.",
                    count,
                )
                % {"n": count},
            )
            return redirect("certification:training-attendance", pk=event.pk)
    return render(
        request,
        "certification/training_close.html",
        {
            "event": event,
            "summary": selectors.training_close_summary(event, request.user),
            "error": error,
            "too_early": event.held_on > selectors.local_today(),
        },
    )


@require_GET
@role_required("staff")
def training_certificate(request, pk: int):
    """A printable certificate of attendance (print CSS: the browser prints it or saves a PDF)."""
    credit = selectors.training_credit_get_for(request.user, pk)
    return render(
        request,
        "certification/training_certificate.html",
        {
            "credit": credit,
            "records": list(credit.records.all()),
            "hours": sum((r.hours for r in credit.records.all()), Decimal("0")),
        },
    )

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.accounts.services import feed_token_for, user_for_feed_token
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.models import Organization
from peerportal.core.permissions import is_coordinator, role_required
from peerportal.core.ratelimit import ratelimit

from . import services
from .exceptions import WarmLineError
from .forms import AssignForm, CallRecordForm
from .models import CallRecord, Shift, ShiftAssignment, WarmLine


@require_GET
@role_required("staff")
def board(request):
    """A week of shifts with coverage at a glance (covered / short / open)."""
    tz = Organization.get().tzinfo
    today = timezone.localdate(timezone.now(), tz)
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else today
        )
    except ValueError:
        start = today
    monday = start - dt.timedelta(days=start.weekday())
    begin = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    lines = WarmLine.objects.filter(is_active=True)
    line_id = request.GET.get("line")
    shifts = (
        Shift.objects.filter(starts_at__gte=begin, starts_at__lt=begin + dt.timedelta(days=7))
        .select_related("line")
        .with_coverage()
    )
    if line_id and line_id.isdigit():
        shifts = shifts.filter(line_id=int(line_id))
    mine = set(
        ShiftAssignment.objects.filter(
            person=request.user, is_active=True, shift__in=shifts
        ).values_list("shift_id", flat=True)
    )
    days = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for shift in shifts:
        days.setdefault(timezone.localtime(shift.starts_at, tz).date(), []).append(
            {"shift": shift, "coverage": shift.coverage(shift.staffed), "mine": shift.pk in mine}
        )
    return render(
        request,
        "warmline/board.html",
        {
            "days": days,
            "lines": lines,
            "line_id": line_id,
            "prev": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
        },
    )


@require_POST
@role_required("staff")
@ratelimit("shift", rate="30/m")
def shift_sign_up(request, pk: int):
    shift = get_object_or_404(Shift, pk=pk)
    try:
        services.shift_sign_up(shift=shift, person=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You're on this shift. Thank you!"))
    return redirect(
        reverse("warmline:board")
        + f"?week={timezone.localdate(shift.starts_at, Organization.get().tzinfo).isoformat()}"
    )


@require_POST
@role_required("staff")
def shift_release(request, pk: int):
    assignment = get_object_or_404(ShiftAssignment, pk=pk, person=request.user, is_active=True)
    try:
        services.shift_release(assignment=assignment, actor=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You released the shift."))
    return redirect("warmline:my-shifts")


@role_required("coordinator")
def shift_assign(request, pk: int):
    shift = get_object_or_404(Shift.objects.select_related("line"), pk=pk)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_assign(
                coordinator=request.user,
                shift=shift,
                person=form.cleaned_data["person"],
                request=request,
            )
        except WarmLineError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, _("Assigned."))
            return redirect("warmline:board")
    return render(request, "warmline/assign.html", {"form": form, "shift": shift})


@require_GET
@role_required("staff")
def my_shifts(request):
    rows = (
        ShiftAssignment.objects.filter(
            person=request.user, is_active=True, shift__ends_at__gt=timezone.now()
        )
        .select_related("shift__line")
        .order_by("shift__starts_at")
    )
    token = feed_token_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("warmline:shift-feed", args=[token.token]))
    return render(request, "warmline/my_shifts.html", {"rows": rows, "feed_url": feed_url})


@require_GET
def shift_feed(request, token: str):
    user = user_for_feed_token(token)
    if user is None or not user.is_staff_role:
        raise Http404
    rows = ShiftAssignment.objects.filter(person=user, is_active=True).select_related("shift__line")
    events = [
        IcalEvent(
            uid=f"shift-{a.shift_id}@peerportal",
            start=a.shift.starts_at,
            end=a.shift.ends_at,
            summary=str(a.shift.line),
        )
        for a in rows
    ]
    return ical_response(
        build_calendar(_("My warm-line shifts"), events, Organization.get().tzinfo), "shifts.ics"
    )


@require_GET
@role_required("staff")
def call_list(request):
    qs = CallRecord.objects.select_related("line").prefetch_related("topics")
    if not is_coordinator(request.user) and not request.user.is_supervisor:
        qs = qs.filter(author=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "warmline/call_list.html",
        {"page": page, "window": services.CALL_EDIT_WINDOW, "now": timezone.now()},
    )


@role_required("staff")
def call_create(request):
    form = CallRecordForm(
        request.POST or None,
        initial={"started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, referrals = data.pop("topics"), data.pop("referrals")
        services.call_record_create(
            author=request.user, topics=topics, referrals=referrals, request=request, **data
        )
        messages.success(request, _("Contact logged."))
        return redirect("warmline:call-list")
    return render(request, "warmline/call_form.html", {"form": form})


@role_required("staff")
def call_edit(request, pk: int):
    record = get_object_or_404(CallRecord, pk=pk, author=request.user)
    form = CallRecordForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, referrals = data.pop("topics"), data.pop("referrals")
        try:
            services.call_record_update(
                author=request.user,
                record=record,
                topics=topics,
                referrals=referrals,
                request=request,
                **data,
            )
        except WarmLineError as exc:
            messages.error(request, str(exc))
            return redirect("warmline:call-list")
        messages.success(request, _("Contact updated."))
        return redirect("warmline:call-list")
    if timezone.now() > record.created_at + services.CALL_EDIT_WINDOW:
        messages.info(request, _("This record is now read-only."))
        return redirect("warmline:call-list")
    return render(request, "warmline/call_form.html", {"form": form, "record": record})


@require_GET
@role_required("staff")
def swap_list(request):
    from .models import SwapRequest

    swaps = SwapRequest.objects.filter(
        status__in=["open", "taken"], assignment__shift__starts_at__gt=timezone.now()
    ).select_related("assignment__shift__line", "assignment__person", "taker")
    return render(request, "warmline/swap_list.html", {"swaps": swaps})


@require_POST
@role_required("staff")
def swap_offer(request, pk: int):
    assignment = get_object_or_404(ShiftAssignment, pk=pk, person=request.user, is_active=True)
    try:
        services.swap_offer(assignment=assignment, actor=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your shift is offered to colleagues."))
    return redirect("warmline:swap-list")


@require_POST
@role_required("staff")
def swap_take(request, pk: int):
    from .models import SwapRequest

    swap = get_object_or_404(SwapRequest, pk=pk)
    try:
        services.swap_take(swap=swap, taker=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Thank you for covering. A supervisor confirms the swap if needed.")
        )
    return redirect("warmline:swap-list")


@require_POST
@role_required("supervisor")
def swap_decide(request, pk: int):
    from .models import SwapRequest

    swap = get_object_or_404(SwapRequest, pk=pk)
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

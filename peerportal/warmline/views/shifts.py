"""One's own shifts and their iCal feed; coordinators assigning, removing, moving."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.accounts.services import feed_token_value, user_for_feed_token
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required
from peerportal.core.templatetags.formatting_cache import cached_date, cached_url

from .. import eligibility, selectors, services
from ..exceptions import WarmLineError
from ..forms import AssignForm, ShiftTimesForm
from ..models import ShiftAssignment
from ._common import _tz


@require_POST
@role_required("staff")
def shift_release(request, pk: int):
    assignment = selectors.assignment_get_for(request.user, pk)
    try:
        services.shift_release(assignment=assignment, actor=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You released the shift."))
    return redirect("warmline:my-shifts")


@role_required("coordinator")
def shift_assign(request, pk: int):
    shift = selectors.shift_get_for(request.user, pk)
    form = AssignForm(request.POST or None, line=shift.line)
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
            return redirect("warmline:shift-detail", pk=shift.pk)
    return render(request, "warmline/assign.html", {"form": form, "shift": shift})


@require_POST
@role_required("coordinator")
def assignment_remove(request, pk: int):
    """A coordinator takes someone off a shift (no cutoff for coordinators)."""
    assignment = get_object_or_404(
        ShiftAssignment.objects.filter(
            is_active=True, shift__in=selectors.shift_list_for(request.user)
        ),
        pk=pk,
    )
    try:
        services.shift_release(assignment=assignment, actor=request.user, request=request)
    except WarmLineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed from the shift."))
    return redirect("warmline:shift-detail", pk=assignment.shift_id)


@role_required("coordinator")
def shift_edit(request, pk: int):
    shift = selectors.shift_get_for(request.user, pk)
    tz = _tz()
    form = ShiftTimesForm(
        request.POST or None,
        initial={
            "starts_at": timezone.localtime(shift.starts_at, tz).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(shift.ends_at, tz).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(
                actor=request.user, shift=shift, request=request, **form.cleaned_data
            )
        except WarmLineError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Shift moved; reminders follow the new time."))
            return redirect("warmline:shift-detail", pk=shift.pk)
    return render(request, "warmline/shift_edit.html", {"form": form, "shift": shift})


@require_GET
@role_required("staff")
def my_shifts(request):
    """Upcoming shifts with their cover status (offered, taken and waiting for approval),
    and the hours worked this week and next against each line's weekly maximum: one read of
    the user's shifts since this week's Monday serves the list and both weeks' hours."""
    now = timezone.now()
    tz = _tz()
    mine = selectors.my_shift_rows(request.user, since=eligibility.week_start(now, tz))
    spans = [eligibility.Span(row["starts_at"], row["ends_at"]) for row in mine]
    token = feed_token_value(user=request.user)
    feed_url = request.build_absolute_uri(reverse("warmline:shift-feed", args=[token]))
    return render(
        request,
        "warmline/my_shifts.html",
        {
            "rows": _my_shift_rows_html(
                [row for row in mine if row["ends_at"] > now], csrf_input(request)
            ),
            "feed_url": feed_url,
            "week_hours": eligibility.format_hours(eligibility.week_hours(spans, now, tz)),
            "next_week_hours": eligibility.format_hours(
                eligibility.week_hours(spans, now + dt.timedelta(days=7), tz)
            ),
            "limits": selectors.weekly_limits_for(request.user),
            "history": selectors.swap_history_for(request.user),
        },
    )


def _my_shift_rows_html(rows, csrf: str):
    """My shifts' list items as one piece of HTML, as the template's loop wrote them: the
    time (in the current time zone) linking to its week on the board, the line, the cover
    status, and the forms to ask for cover (or withdraw the offer) and to release. Each
    text made and escaped once here instead of tags per row (three forms with a CSRF tag
    each, three links and three dates a row); labels as ``{% translate %}`` writes them."""
    if not rows:
        return mark_safe(  # translated labels and a link, as the template wrote them
            f'<li class="list-group-item">{_("No upcoming shifts.")} '
            f'<a href="{cached_url("warmline:board")}">{_("See open shifts")}</a></li>'
        )
    board = cached_url("warmline:board")
    offer, release = pk_link("warmline:swap-offer"), pk_link("warmline:shift-release")
    tz = timezone.get_current_timezone()
    offered = f'<span class="badge text-bg-info">{_("Offered for cover")}</span>'
    withdraw = (
        f'{csrf}<input type="hidden" name="withdraw" value="1">'
        '<button class="btn btn-sm btn-outline-secondary" type="submit">'
        f"{_('Withdraw the offer')}</button>"
    )
    ask = (
        f'{csrf}<button class="btn btn-sm btn-outline-secondary" type="submit">'
        f"{_('Ask for cover')}</button>"
    )
    release_form = (
        f'data-confirm="{_("Release this shift?")}">{csrf}'
        '<button class="btn btn-sm btn-outline-danger" type="submit">'
        f"{_('Release')}</button></form></span></li>\n"
    )
    out = []
    for row in rows:
        pk, start = row["pk"], row["starts_at"].astimezone(tz)
        status = row["swap_status"]
        if status == "open":
            badge = offered
        elif status == "taken":
            taker = escape(row["swap_taker"] or "")
            badge = '<span class="badge text-bg-warning">{}</span>'.format(
                _("Taken by %(name)s, waiting for approval") % {"name": taker}
            )
        else:
            badge = ""
        out.append(
            '\n  <li class="list-group-item d-flex justify-content-between flex-wrap gap-2">'
            f'<span><a href="{board}?week={escape(cached_date(start, "Y-m-d"))}'
            f'#shift-{row["shift_id"]}">{escape(cached_date(start, "D j M, H:i"))}–'
            f"{escape(cached_date(row['ends_at'].astimezone(tz), 'H:i'))}</a> · "
            f"{escape(row['line'])}\n    {badge}</span>\n"
            f'    <span><form class="d-inline" method="post" action="{offer(pk)}">'
            f"{withdraw if status else ask}</form>\n"
            f'    <form class="d-inline" method="post" action="{release(pk)}" {release_form}'
        )
    return mark_safe("".join(out))  # every text escaped above; labels as {% translate %}


@require_GET
def shift_feed(request, token: str):
    """Public by token: one person's shifts as iCal (no other people in it)."""
    user = user_for_feed_token(token)
    if user is None or not user.is_staff_role:
        raise Http404
    rows = selectors.assignment_list_for(user, upcoming=False).filter(
        shift__ends_at__gt=timezone.now() - dt.timedelta(days=60)
    )
    events = [
        IcalEvent(
            uid=f"warmline-shift-{a.shift_id}@peerportal",
            start=a.shift.starts_at,
            end=a.shift.ends_at,
            summary=str(a.shift.line),
        )
        for a in rows
    ]
    return ical_response(build_calendar(_("My warm-line shifts"), events, _tz()), "shifts.ics")

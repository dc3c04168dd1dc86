"""Thin views: parse, call a service or selector, render or redirect."""

from __future__ import annotations

import calendar
import datetime as dt
from html import escape

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peerportal.accounts.services import feed_token_value, user_for_feed_token
from peerportal.certification.qualification import qualification_choices
from peerportal.core.dates import month_neighbours, parse_day, parse_month, week_start
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.links import pk_link
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit
from peerportal.core.templatetags.formatting_cache import cached_date, cached_url

from . import eligibility, selectors, services
from .exceptions import EditWindowClosed, WarmLineError
from .forms import AssignForm, CallRecordForm, ShiftPatternForm, ShiftTimesForm, WarmLineForm
from .models import ContactType, ShiftAssignment, ShiftPattern
from .permissions import can_assign, can_decide_swap, can_manage_lines


def _tz():
    return Organization.get().tzinfo


def _line_filter(request) -> int | None:
    value = request.GET.get("line", "")
    return int(value) if value.isdigit() else None


def _annotate(user, shifts, *, my_shifts=None, workable=None) -> list:
    """Give each shift ``refusal`` (why the user can't take it, or None) and ``needs`` (the
    required credential's name), and ``row``: what ``_shift_row_html`` shows, as a dict.
    Each text is translated once per distinct value on the page: the coverage badge, "n of
    max places filled", the credential's name and the refusal sentence."""
    shifts = list(shifts)
    open_ones = [s for s in shifts if not s.mine and s.staffed < s.max_staff]
    refusals, names = selectors.eligibility_and_names(
        user,
        open_ones,
        shown=shifts,
        my_shifts=my_shifts,
        workable_line_ids=workable,
    )
    # The shown times and the board link are in the current time zone, as |date is.
    board = cached_url("warmline:board")
    tz = timezone.get_current_timezone()
    texts: dict[tuple, str] = {}

    def text(make, *key):
        if key not in texts:
            texts[key] = make(*key[1:])
        return texts[key]

    for shift in shifts:
        pk = shift.pk
        shift.refusal = refusal = refusals.get(pk)
        code = shift.required_qualification
        shift.needs = names.get(code, code)
        start = shift.starts_at.astimezone(tz)
        full = shift.staffed >= shift.max_staff
        shift.row = {
            "pk": pk,
            "week_link": f"{board}?week={start:%Y-%m-%d}#shift-{pk}",
            "times": f"{start:%H:%M}–{shift.ends_at.astimezone(tz):%H:%M}",
            "line_name": shift.line.name,
            "badge": text(_badge, "badge", shift.coverage_status),
            "places": text(_places, "places", shift.staffed, shift.max_staff),
            "needs_text": text(_needs, "needs", shift.needs) if code else "",
            "mine": shift.mine,
            "full": full,
            "refusal": refusal,
            "why": text(_why, "why", refusal) if refusal and not shift.mine and not full else "",
        }
    return shifts


_BADGE_CLASSES = {"covered": "text-bg-success", "short": "text-bg-warning"}


def _badge(status: str):
    """The coverage badge, as ``_coverage_badge.html`` writes it."""
    label = {"covered": _("covered"), "short": _("short")}.get(status) or _("open")
    return format_html(
        '<span class="badge {}">{}</span>', _BADGE_CLASSES.get(status, "text-bg-danger"), label
    )


def _places(staffed: int, max_staff: int):
    """``{% blocktranslate count max=… with n=… %}`` of the row, the same text."""
    text = ngettext(
        "%(n)s of %(max)s place filled", "%(n)s of %(max)s places filled", max_staff
    ) % {"n": localize(staffed), "max": localize(max_staff)}
    return mark_safe(text)  # the translated text and two numbers, as the tag


def _needs(name: str):
    return mark_safe(  # the translated text, the name escaped, as the tag
        _("needs the %(name)s credential") % {"name": conditional_escape(name)}
    )


def _why(reason: str):
    return mark_safe(  # the translated text, the reason escaped, as the tag
        _("You can't take this shift: %(reason)s") % {"reason": conditional_escape(reason)}
    )


class _RowParts:
    """What every shift row of a page shares, made once: the translated labels (as
    ``{% translate %}`` writes them, unescaped), the links (the roster and assign ones
    only for those who see them) and the CSRF input."""

    def __init__(self, *, can_assign: bool, show_roster: bool, csrf: str):
        on_it = _("You're on it")
        self.on_it = f'<span class="badge text-bg-primary">{on_it}</span>'
        self.full = f'<span class="small">{_("Full")}</span>'
        self.sign_up = _("Sign up")
        self.sign_up_url = pk_link("warmline:shift-sign-up")
        self.roster = self.assign = None
        if show_roster:
            self.roster, self.roster_url = _("Roster"), pk_link("warmline:shift-detail")
        if can_assign:
            self.assign, self.assign_url = _("Assign"), pk_link("warmline:shift-assign")
        self.csrf = csrf


def _shift_row_html(row: dict, parts: _RowParts, *, error=None):
    """One board row (``_annotate``'s ``row``) as HTML, with the sign-up form, the disabled
    button and its reason, or "You're on it" / "Full"; ``error``: the sign-up refusal an
    HTMX sign-up answers with. Built here rather than by a template included per row (16
    rows spent ≈ 3 ms of the board in variable lookups); the same text and whitespace the
    template wrote. The line's name, the links and the error are escaped; the badge, the
    places, the credential and the reason come escaped from ``_annotate``."""
    pk = row["pk"]
    if row["mine"]:
        action = parts.on_it
    elif row["full"]:
        action = parts.full
    elif row["refusal"]:
        action = (
            '<button class="btn btn-sm btn-outline-secondary" type="button" disabled '
            f'aria-describedby="shift-{pk}-why">{parts.sign_up}</button>'
        )
    else:
        url = escape(parts.sign_up_url(pk))
        action = (
            f'\n    <form method="post" action="{url}" class="d-inline" hx-post="{url}" '
            f'hx-target="#shift-{pk}" hx-swap="outerHTML">{parts.csrf}'
            f'<button class="btn btn-sm btn-primary" type="submit">{parts.sign_up}</button></form>'
        )
    roster = (
        f'<a class="btn btn-sm btn-outline-secondary" href="{escape(parts.roster_url(pk))}">'
        f"{parts.roster}</a>"
        if parts.roster is not None
        else ""
    )
    assign = (
        f'<a class="btn btn-sm btn-outline-secondary" href="{escape(parts.assign_url(pk))}">'
        f"{parts.assign}</a>"
        if parts.assign is not None
        else ""
    )
    needs = f'<span class="small">· {row["needs_text"]}</span>' if row["needs_text"] else ""
    why = (
        f'<div class="w-100 small text-body-secondary" id="shift-{pk}-why">{row["why"]}</div>'
        if row["why"]
        else ""
    )
    alert = (
        f'<div class="w-100 alert alert-warning mb-0" role="alert">{conditional_escape(error)}</div>'
        if error
        else ""
    )
    return mark_safe(  # the parts escaped above, or escaped by _annotate
        '<li class="list-group-item d-flex justify-content-between align-items-center '
        f'flex-wrap gap-2" id="shift-{pk}">\n'
        f'  <span><a href="{escape(row["week_link"])}">{escape(row["times"])}</a> · '
        f"{escape(row['line_name'])}\n"
        f"    {row['badge']}\n\n"
        f'    <span class="small">{row["places"]}</span>\n'
        f"    {needs}</span>\n"
        f"  <span>{action}\n"
        f"    {roster}\n"
        f"    {assign}</span>\n"
        f"  {why}\n"
        f"  {alert}\n"
        "</li>\n"
    )


def _rows(shifts, tz) -> dict:
    days: dict[dt.date, list] = {}
    for shift in shifts:
        days.setdefault(timezone.localtime(shift.starts_at, tz).date(), []).append(shift)
    return days


@require_GET
@role_required("staff")
def board(request):
    """A week of shifts with coverage at a glance (covered / short / open): the week and
    the user's shifts around it in one query, each row's HTML made in the view."""
    tz = _tz()
    today = timezone.localdate(timezone.now(), tz)
    monday = week_start(parse_day(request.GET.get("week"), today))
    begin = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=tz)
    line_id = _line_filter(request)
    lines = selectors.visible_lines(request.user)
    workable = selectors.lines_workable_for(request.user, lines)
    week, mine = selectors.board_shifts(
        request.user, start=begin, end=end, line_id=line_id, lines=lines
    )
    shifts = _annotate(request.user, week, my_shifts=mine, workable=workable)
    parts = _RowParts(
        can_assign=can_assign(request.user),
        show_roster=request.user.is_supervisor,
        csrf=csrf_input(request),
    )
    by_day = _rows(shifts, tz)
    days = []
    none = f'<li class="list-group-item text-body-secondary">{_("No shifts.")}</li>'
    for day in (monday + dt.timedelta(days=i) for i in range(7)):
        rows = "".join(_shift_row_html(shift.row, parts) + "\n" for shift in by_day.get(day, ()))
        days.append(
            f'\n<h2 class="h5 mt-3">{escape(cached_date(day, "l j F"))}</h2>\n'
            f'<ul class="list-group">{rows or none}</ul>\n'
        )
    return render(
        request,
        "warmline/board.html",
        {
            # The week's days with their rows, as the template's loop wrote them: every
            # text escaped here or by _shift_row_html; "No shifts." as {% translate %}.
            "days": mark_safe("".join(days)),
            "monday": monday,
            "lines": lines,
            "line_id": line_id,
            "prev": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "week_hours": eligibility.format_hours(
                selectors.week_hours_for(request.user, begin, my_shifts=mine)
            ),
            "limits": [(li.name, li.max_hours_per_week) for li in lines if li.pk in workable],
        },
    )


@require_GET
@role_required("staff")
def board_month(request):
    """A month grid: each day lists its shifts with their coverage."""
    tz = _tz()
    today = timezone.localdate(timezone.now(), tz)
    year, _dash, month = request.GET.get("month", "").partition("-")
    first = parse_month(year, month, today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    begin = dt.datetime.combine(weeks[0][0], dt.time(), tzinfo=tz)
    end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    line_id = _line_filter(request)
    by_day = _rows(
        selectors.shift_list_for(request.user, start=begin, end=end, line_id=line_id), tz
    )
    prev_month, next_month = month_neighbours(first)
    return render(
        request,
        "warmline/board_month.html",
        {
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "first": first,
            "today": today,
            "lines": selectors.line_list_for(request.user),
            "line_id": line_id,
            "prev": prev_month,
            "next": next_month,
            "weekdays": [WEEKDAYS[i] for i in range(7)],
        },
    )


def _back_to_week(shift):
    return redirect(
        reverse("warmline:board")
        + f"?week={timezone.localdate(shift.starts_at, _tz()).isoformat()}"
    )


@require_POST
@role_required("staff")
@ratelimit("shift", rate="30/m")
def shift_sign_up(request, pk: int):
    shift = selectors.shift_get_for(request.user, pk)
    error = None
    try:
        services.shift_sign_up(shift=shift, person=request.user, request=request)
    except WarmLineError as exc:
        error = str(exc)
    if request.htmx:
        shift = _annotate(request.user, [selectors.shift_get_for(request.user, pk)])[0]
        parts = _RowParts(
            can_assign=can_assign(request.user),
            show_roster=request.user.is_supervisor,
            csrf=csrf_input(request),
        )
        return HttpResponse(_shift_row_html(shift.row, parts, error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("You're on this shift. Thank you!"))
    return _back_to_week(shift)


@require_GET
@role_required("supervisor")
def shift_detail(request, pk: int):
    """The roster of one shift, for supervisors and coordinators (staff use the board)."""
    shift = _annotate(request.user, [selectors.shift_get_for(request.user, pk)])[0]
    return render(
        request,
        "warmline/shift_detail.html",
        {
            "shift": shift,
            "roster": selectors.shift_roster(shift),
            "can_assign": can_assign(request.user),
            "can_manage": can_manage_lines(request.user),
        },
    )


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


# ---- swaps ---------------------------------------------------------------------------


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


# ---- call log ------------------------------------------------------------------------


@require_GET
@role_required("staff")
def call_list(request):
    page = Paginator(selectors.call_record_rows_for(request.user), 30).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    selectors.call_record_labels(rows)
    window = services.call_edit_window()
    return render(
        request,
        "warmline/call_list.html",
        {
            "page": page,
            "rows": _call_rows_html(rows, request.user.pk, timezone.now() - window),
            "window_minutes": int(window.total_seconds() // 60),
        },
    )


def _call_rows_html(rows, user_id: int, editable_since: dt.datetime):
    """The call log's table rows as one piece of HTML, as the template's loop wrote them:
    plain rows (no model instances), each cell's text made and escaped here once instead of
    a variable lookup, filter and escape per cell (30 rows × 8 cells were most of the
    page). The author corrects a record created within the edit window ("Correct")."""
    types = {value: escape(str(label)) for value, label in ContactType.choices}
    yes, no = escape(yesno(True)), escape(yesno(False))
    correct = _("Correct")
    edit = pk_link("warmline:call-edit")
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        link = (
            f'<a href="{edit(row["id"])}">{correct}</a>'
            if row["author_id"] == user_id and row["created_at"] > editable_since
            else ""
        )
        out.append(
            f"<tr><td>{row['started_at'].astimezone(tz):%Y-%m-%d %H:%M}</td>"
            f"<td>{escape(row['line__name'])}</td>"
            f"<td>{types.get(row['contact_type']) or escape(row['contact_type'])}</td>"
            f"<td>{row['duration_minutes']}</td>"
            f"<td>{escape(row['topics'])}</td><td>{escape(row['referrals'])}</td>"
            f"<td>{yes if row['follow_up_offered'] else no}</td>\n"
            f"    <td>{link}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # every text escaped above; the label as {% translate %}


@role_required("staff")
def call_create(request):
    lines = selectors.line_list_for(request.user)
    form = CallRecordForm(
        request.POST or None,
        lines=lines,
        initial={
            "started_at": timezone.localtime(timezone.now(), _tz()).strftime("%Y-%m-%dT%H:%M"),
            "line": lines.first() if lines.count() == 1 else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, referrals = data.pop("topics"), data.pop("referrals")
        try:
            services.call_record_create(
                author=request.user, topics=topics, referrals=referrals, request=request, **data
            )
        except WarmLineError as exc:
            form.add_error("line", str(exc))
        else:
            messages.success(request, _("Contact logged."))
            return redirect("warmline:call-list")
    return render(request, "warmline/call_form.html", {"form": form})


@role_required("staff")
def call_edit(request, pk: int):
    """The author corrects a record within the edit window; afterwards it is read-only (403)."""
    record = selectors.call_record_get_for(request.user, pk)
    if timezone.now() > record.created_at + services.call_edit_window():
        return _call_locked(request, record)
    form = CallRecordForm(
        request.POST or None, instance=record, lines=selectors.line_list_for(request.user)
    )
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
        except EditWindowClosed:
            return _call_locked(request, record)
        messages.success(request, _("Contact updated."))
        return redirect("warmline:call-list")
    return render(request, "warmline/call_form.html", {"form": form, "record": record})


def _call_locked(request, record):
    """Past the edit window: say the record is locked and why, and show it read-only (403:
    the correction is refused, but this is not a question of the person's role)."""
    window = services.call_edit_window()
    return render(
        request,
        "warmline/call_locked.html",
        {"record": record, "window_minutes": int(window.total_seconds() // 60)},
        status=403,
    )


# ---- lines and patterns (coordinators) ------------------------------------------------


@require_GET
@role_required("supervisor")
def line_list(request):
    lines = list(
        selectors.line_list_for(request.user, include_inactive=True).prefetch_related("patterns")
    )
    names = dict(qualification_choices())
    for line in lines:
        for pattern in line.patterns.all():
            code = pattern.required_qualification
            pattern.needs = names.get(code, code)
    return render(
        request,
        "warmline/line_list.html",
        {"lines": lines, "can_manage": can_manage_lines(request.user)},
    )


@role_required("coordinator")
def line_create(request):
    return _line_form(request, WarmLineForm(request.POST or None))


@role_required("coordinator")
def line_edit(request, pk: int):
    line = selectors.line_get_for(request.user, pk)
    return _line_form(request, WarmLineForm(request.POST or None, instance=line))


def _line_form(request, form):
    if request.method == "POST" and form.is_valid():
        services.warm_line_save(
            actor=request.user,
            line=form.save(commit=False),
            members=form.cleaned_data["members"],
            request=request,
        )
        messages.success(request, _("Warm line saved."))
        return redirect("warmline:line-list")
    return render(request, "warmline/line_form.html", {"form": form})


@role_required("coordinator")
def pattern_create(request, line_pk: int):
    line = selectors.line_get_for(request.user, line_pk)
    return _pattern_form(
        request, ShiftPatternForm(request.POST or None, instance=ShiftPattern(line=line)), line
    )


@role_required("coordinator")
def pattern_edit(request, pk: int):
    pattern = get_object_or_404(
        ShiftPattern.objects.filter(
            line__in=selectors.line_list_for(request.user, include_inactive=True)
        ),
        pk=pk,
    )
    return _pattern_form(
        request, ShiftPatternForm(request.POST or None, instance=pattern), pattern.line
    )


def _pattern_form(request, form, line):
    if request.method == "POST" and form.is_valid():
        services.shift_pattern_save(
            actor=request.user, pattern=form.save(commit=False), request=request
        )
        messages.success(request, _("Shift pattern saved; shifts are on the board."))
        return redirect("warmline:line-list")
    return render(request, "warmline/pattern_form.html", {"form": form, "line": line})

"""The shift board (week and month), its rows, signing up from it, a shift's roster."""

from __future__ import annotations

import calendar
import datetime as dt
from html import escape

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.dates import month_neighbours, parse_day, parse_month, week_start
from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit
from peerportal.core.templatetags.formatting_cache import cached_date, cached_url

from .. import eligibility, selectors, services
from ..exceptions import WarmLineError
from ..permissions import can_assign, can_manage_lines
from ._common import _tz


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

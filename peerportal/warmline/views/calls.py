"""The call log: listing, logging and correcting contacts within the edit window."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required

from .. import selectors, services
from ..exceptions import EditWindowClosed, WarmLineError
from ..forms import CallRecordForm
from ..models import ContactType
from ._common import _tz


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

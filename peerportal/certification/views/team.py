"""A supervisor's team: standings, transcripts and logged supervision."""

from __future__ import annotations

from decimal import Decimal
from html import escape as escape_text

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required
from peerportal.core.spreadsheet import csv_response

from .. import selectors, services
from ..exceptions import CertificationError
from ..forms import SupervisionForm
from ..models import RecordStatus
from ..permissions import can_read_supervision_notes
from ..standings_html import standings_html

# Text typed into the database is escaped with ``escape_text`` (why: views/records.py).


def _team_credentials_cell():
    """The team list's "credentials" cell of one person, as HTML made in Python: each
    credential's name, status, days left and whether it is short on hours. The template
    loop it replaces ran ≈ 10 nodes and a blocktranslate per credential; the translated
    strings are looked up, and each credential's name escaped, once per request here."""
    days_left = _("%(n)s days left")
    short = " · " + _("short on hours")
    labels: dict[str, str] = {}
    names: dict[int, str] = {}

    def cell(standings) -> str:
        if not standings:
            return "—"
        parts = []
        for s in standings:
            status = s["standing"].status
            label = labels.get(status)
            if label is None:
                label = labels[status] = conditional_escape(s["status_label"])
            ctype = s["certification"].credential_type
            name = names.get(ctype.pk)
            if name is None:
                name = names[ctype.pk] = conditional_escape(ctype.name)
            line = f"<div>{name}: <strong>{label}</strong>"
            if s["days_to_expiry"] is not None:
                line += f" ({days_left % {'n': s['days_to_expiry']}})"
            progress = s["standing"].progress
            if progress and not progress.met:
                line += short
            parts.append(line + "</div>")
        return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped

    return cell


@require_GET
@role_required("supervisor")
def team(request):
    """Supervisors: their team; coordinators: everyone (paginated before computing)."""
    page = Paginator(selectors.team_page_list(request.user), 25).get_page(request.GET.get("page"))
    people = list(page)
    # The approved records (for the standings) and the counts waiting for review, from one
    # query. The page shows each credential's status, not initial-training progress: no
    # supervised hours.
    approved, pending = selectors.approved_rows_and_pending_counts([p.pk for p in people])
    standings = selectors.standings_by_person(
        people, selectors.local_today(), records=approved, initial=False
    )
    transcript_link = pk_link("certification:transcript")
    cell = _team_credentials_cell()
    rows = [{"person": p, "pending": pending.get(p.pk, 0)} for p in people]
    # The table's rows as one piece of HTML made here (the template's loop ran four
    # variables a row).
    rows_html = mark_safe(  # noqa: S308 — the name is escaped, the cell is escaped HTML
        "".join(
            f'<tr><td><a href="{transcript_link(p.pk)}">{escape_text(p.display_name)}'
            f"</a></td>\n    <td>{cell(standings[p.pk])}</td>\n    <td>{row['pending']}</td></tr>\n  "
            for p, row in zip(people, rows, strict=True)
        )
    )
    return render(
        request, "certification/team.html", {"page": page, "rows": rows, "rows_html": rows_html}
    )


@require_GET
@role_required("staff")
def transcript(request, pk: int):
    person = selectors.person_get_for(request.user, pk)
    audit_record(actor=request.user, action="transcript.read", obj=person, request=request)
    supervision = list(selectors.supervision_list_for(request.user, person))
    sessions = [
        {"session": s, "notes": s.notes if can_read_supervision_notes(request.user, s) else None}
        for s in supervision
    ]
    # The transcript lists every record and session anyway: standings reuse them.
    records = list(selectors.record_list_for(request.user, person))
    standings = selectors.standings_by_person(
        [person],
        hours={person.pk: sum((s.hours for s in supervision), Decimal("0"))},
        records={person.pk: [r for r in records if r.status == RecordStatus.APPROVED]},
    )[person.pk]
    return render(
        request,
        "certification/transcript.html",
        {
            "person": person,
            "standings": standings,
            "standings_html": standings_html(request, standings),
            "records": records,
            "sessions": sessions,
        },
    )


@require_GET
@role_required("staff")
def transcript_csv(request, pk: int):
    person = selectors.person_get_for(request.user, pk)
    audit_record(actor=request.user, action="transcript.export", obj=person, request=request)
    header = [
        "completed on",
        "course",
        "provider",
        "hours",
        "topic",
        "initial training",
        "credit requested",
        "status",
    ]
    rows = (
        [
            r.completed_on.isoformat(),
            r.course,
            r.provider,
            r.hours,
            r.topic.name if r.topic else "elective",
            r.is_initial_training,
            r.credit_requested,
            r.status,
        ]
        for r in selectors.record_list_for(request.user, person)
    )
    return csv_response(f"transcript-{person.pk}.csv", header, rows)


@role_required("supervisor")
def supervision_create(request):
    form = SupervisionForm(request.POST or None, team=selectors.team_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_log(supervisor=request.user, request=request, **form.cleaned_data)
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Supervision session logged."))
            return redirect("certification:team")
    return render(request, "certification/supervision_form.html", {"form": form})

"""The staff member's own training: progress, records, their evidence."""

from __future__ import annotations

from html import escape as escape_text

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required

from .. import selectors, services
from ..evidence import evidence_content_type
from ..exceptions import CertificationError, EvidenceRejected
from ..forms import TrainingRecordForm
from ..models import RecordStatus
from ..standings_html import standings_html

# Text typed into the database (plain ``str``) is escaped with ``escape_text``: what
# ``conditional_escape`` applies to such text, without its checks for lazy and safe strings.


def _applicability_cell(rows, cells: dict[tuple, str]) -> str:
    """The list's compact "counts toward" cell, made once per distinct content: the
    records of one cycle mostly share it (``cells`` keeps what this request made, and the
    translated badges under ``"labels"``). The full version, with every reason, is
    ``certification/_applicability.html`` (record and review pages)."""
    key = tuple(
        (
            row["credential"].pk,
            row["result"].counts,
            row["result"].if_approved,
            None if row["result"].counts else row["result"].reason,
        )
        for row in rows
    )
    cell = cells.get(key)
    if cell is not None:
        return cell
    labels = cells.get("labels")
    if labels is None:
        # Translated literals go in as they are, as {% translate %} puts them in.
        labels = cells["labels"] = {
            (True, True): f'<span class="badge text-bg-success">{_("will count once approved")}',
            (True, False): f'<span class="badge text-bg-success">{_("counts")}',
            (False, True): '<span class="badge text-bg-secondary">'
            + _("won't count, even if approved"),
            (False, False): f'<span class="badge text-bg-secondary">{_("does not count")}',
            None: '<span class="small text-body-secondary">'
            + _("No credentials recorded yet.")
            + "</span>\n",
        }
    if not rows:
        cell = labels[None]
    else:
        items = []
        for row in rows:
            result = row["result"]
            reason = "" if result.counts else f"<br>{conditional_escape(result.reason)}"
            items.append(
                f"\n  <li><strong>{conditional_escape(row['credential'].name)}:</strong>\n    "
                f"{labels[(bool(result.counts), bool(result.if_approved))]}</span>\n"
                f"    {reason}</li>\n"
            )
        cell = f'<ul class="list-unstyled mb-0 small">{"".join(items)}</ul>\n'
    cells[key] = cell = mark_safe(cell)  # every value above is escaped or made here
    return cell


def _progress_row():
    """One row of "my training"'s record list as HTML made in Python (the template's loop
    ran ≈ 40 nodes and four ``{% url %}`` a row): links from ``pk_link``, the translated
    strings looked up once per request, each distinct number of hours formatted once
    (``floatformat`` localizes)."""
    detail = pk_link("certification:record-detail")
    certificate = pk_link("certification:training-certificate")
    evidence = pk_link("certification:evidence-download")
    edit = pk_link("certification:record-edit")
    withdraw = pk_link("certification:record-withdraw")
    esc = conditional_escape
    # Translated literals go in as they are, as {% translate %} puts them in (not escaped).
    elective = _("Elective")
    from_attendance = (
        '<br><span class="small">' + _("Approved from the training's attendance") + "</span>"
    )
    certificate_text = _("Certificate")
    evidence_text = _("Evidence")
    edit_text = {True: _("Edit and resend"), False: _("Edit")}
    withdraw_text = _("Withdraw")
    hours_text: dict = {}
    labels: dict[str, str] = {}

    def row(r, review_notes, applicability_cell) -> str:
        """The row's HTML (``r`` a ``selectors.ListedRecord``; ``review_notes`` its
        decisions' ``(source, comment)`` pairs): every value in it is escaped or made here."""
        hours = hours_text.get(r.hours)
        if hours is None:
            hours = hours_text[r.hours] = floatformat(r.hours, "-2")
        label = labels.get(r.status)
        if label is None:
            label = labels[r.status] = esc(r.status_label)
        notes = ""
        for source, comment in review_notes:
            if source == "attendance":
                notes += from_attendance
            if comment:
                notes += f'<br><span class="small">“{escape_text(comment)}”</span>'
        actions = ""
        if r.credit_id:
            actions += f'<a href="{certificate(r.credit_id)}">{certificate_text}</a> '
        if r.evidence:
            actions += f'<a href="{evidence(r.pk)}">{evidence_text}</a>'
        if r.owner_can_change:
            actions += (
                f' <a href="{edit(r.pk)}">{edit_text[r.status == "changes_requested"]}</a>'
                f' <a href="{withdraw(r.pk)}">{withdraw_text}</a>'
            )
        html = (
            f'<tr><td>{r.completed_on.isoformat()}</td><td><a href="{detail(r.pk)}">'
            f'{escape_text(r.course)}</a><br><span class="small">{escape_text(r.provider)}</span>'
            f"</td><td>{hours}</td><td>{escape_text(r.topic_name) if r.topic_id else elective}</td>\n"
            f"    <td>{label}{notes}</td>\n"
            f"    <td>{applicability_cell}</td>\n"
            f"    <td>{actions}</td></tr>\n  "
        )
        return html

    return row


def _supervision_items(rows) -> str:
    """The "Supervision" list's items (date, hours, notes) as one piece of HTML made in
    Python."""
    hours_text: dict = {}
    items = []
    for date, hours, notes in rows:
        text = hours_text.get(hours)
        if text is None:
            text = hours_text[hours] = floatformat(hours, "-2")
        note = f": {conditional_escape(notes)}" if notes else ""
        items.append(f"<li>{date.isoformat()} — {text} h{note}</li>")
    return mark_safe("".join(items))  # noqa: S308 — the notes are escaped


@require_GET
@role_required("staff")
def progress(request):
    person = request.user
    # The latest sessions and the hours of all of them in one query (initial-training
    # progress reads the total).
    supervision, supervised_hours = selectors.recent_supervision_with_total(person)
    hours = {person.pk: supervised_hours}
    # One query for the person's records: the list below (paged in Python: no COUNT),
    # the standings and the pending hours all read the same rows.
    everything, approved, pending = selectors.records_all_of(person)
    standings = selectors.standings_by_person([person], hours=hours, records={person.pk: approved})[
        person.pk
    ]
    selectors.add_pending_hours(standings, pending, approved)
    records = Paginator(everything, 20).get_page(request.GET.get("page"))
    notes = selectors.review_notes_by_record([r.pk for r in records])
    applicability = selectors.applicability_by_record(records, standings, approved)
    cells: dict = {}
    row = _progress_row()
    rows = [row(r, notes[r.pk], _applicability_cell(applicability[r.pk], cells)) for r in records]
    return render(
        request,
        "certification/progress.html",
        {
            "person": person,
            "standings": standings,
            "standings_html": standings_html(request, standings, show_pending=True),
            "records": records,
            # The list's rows and the supervision items as one piece of HTML each (the
            # template's loops ran a variable an item).
            "rows_html": mark_safe("".join(rows)),  # noqa: S308 — each row is escaped HTML
            "supervision": _supervision_items(supervision),
            "supervised_hours": supervised_hours,
        },
    )


def _record_fields(form) -> dict:
    return {
        k: form.cleaned_data[k]
        for k in (
            "course",
            "provider",
            "completed_on",
            "hours",
            "topic",
            "is_initial_training",
            "credit_requested",
        )
    }


@role_required("staff")
def record_create(request):
    form = TrainingRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record_submit(
                person=request.user,
                evidence=form.cleaned_data["evidence"],
                request=request,
                **_record_fields(form),
            )
        except CertificationError as exc:
            form.add_error("evidence", str(exc))
        else:
            messages.success(
                request, _("Your training record was sent to your supervisor for review.")
            )
            return redirect("certification:progress")
    return render(request, "certification/record_form.html", {"form": form})


@require_GET
@role_required("staff")
def record_detail(request, pk: int):
    """The owner's view of one record: details, decisions, and per credential whether it
    counts and why."""
    record = selectors.record_get_own(request.user, pk)
    approved, _pending = selectors.records_in_play(request.user)
    standings = selectors.standings_by_person([request.user], records={request.user.pk: approved})[
        request.user.pk
    ]
    return render(
        request,
        "certification/record_detail.html",
        {
            "record": record,
            "reviews": selectors.review_list_for_record(record),
            "applicability": selectors.applicability_by_record([record], standings, approved)[
                record.pk
            ],
        },
    )


@role_required("staff")
def record_resubmit(request, pk: int):
    """Edit a record not decided yet: one waiting for review stays in the queue; one with
    requested changes goes back to review."""
    record = selectors.record_get_own(request.user, pk)
    if not record.owner_can_change:
        messages.info(
            request, _("Decided or withdrawn records can't be edited; add a new record instead.")
        )
        return redirect("certification:record-detail", pk=record.pk)
    form = TrainingRecordForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        was_waiting = record.status == RecordStatus.SUBMITTED
        try:
            services.training_record_resubmit(
                person=request.user,
                record=record,
                evidence=form.cleaned_data["evidence"],
                request=request,
                **_record_fields(form),
            )
        except EvidenceRejected as exc:
            form.add_error("evidence", str(exc))
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Record updated; it is still waiting for review.")
                if was_waiting
                else _("Sent back for review."),
            )
            return redirect("certification:record-detail", pk=record.pk)
    return render(
        request,
        "certification/record_form.html",
        {"form": form, "record": record, "reviews": selectors.review_list_for_record(record)},
    )


@role_required("staff")
def record_withdraw(request, pk: int):
    """GET: a confirmation page; POST: withdraw the owner's record (it leaves the queue)."""
    record = selectors.record_get_own(request.user, pk)
    if request.method == "POST":
        try:
            services.training_record_withdraw(person=request.user, record=record, request=request)
        except CertificationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Record withdrawn; it is no longer waiting for review."))
        return redirect("certification:record-detail", pk=record.pk)
    if not record.owner_can_change:
        messages.info(request, _("This record was decided or withdrawn already."))
        return redirect("certification:record-detail", pk=record.pk)
    return render(request, "certification/record_withdraw.html", {"record": record})


@require_GET
@role_required("staff")
def evidence_download(request, pk: int):
    """Private evidence: the owner, their supervisor and coordinators; anyone else gets 404."""
    record = selectors.evidence_record_get_for(request.user, pk)
    # ``?view=1`` shows it in the browser (the review page previews it). Only the types
    # accepted on upload, each checked by content, are served inline, with their own
    # content type and a sandboxing CSP; anything else is a download.
    content_type = evidence_content_type(record.evidence.name)
    inline = request.GET.get("view") == "1" and content_type is not None
    audit_record(
        actor=request.user,
        action="evidence.view" if inline else "evidence.read",
        obj=record,
        request=request,
    )
    response = FileResponse(
        record.evidence.open("rb"),
        as_attachment=not inline,
        filename=record.evidence_name or "evidence",
        content_type=content_type or "application/octet-stream",
    )
    if inline:
        # The file's own page may load and run nothing, nor be framed. Images are also
        # sandboxed. A PDF opens in a new tab (not a frame: the site's CSP stays strict) and
        # is left unsandboxed because some browsers' PDF viewers refuse sandboxed documents.
        response["Content-Security-Policy"] = (
            "default-src 'none'; frame-ancestors 'none'"
            if content_type == "application/pdf"
            else "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

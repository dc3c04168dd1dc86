from __future__ import annotations

from decimal import Decimal
from html import escape as escape_text

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.audit import audit_record
from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required
from peerportal.core.spreadsheet import csv_response

from . import selectors, services
from .evidence import evidence_content_type
from .exceptions import CertificationError, EvidenceRejected, SelfReview
from .forms import (
    AttendanceForm,
    AttendeeAddForm,
    AuditDecisionForm,
    IssueForm,
    ReviewForm,
    SupervisionForm,
    TrainingEventForm,
    TrainingRecordForm,
)
from .models import RecordStatus
from .permissions import can_manage_trainings, can_read_supervision_notes
from .standings_html import standings_html

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


@require_GET
@role_required("supervisor")
def review_queue(request):
    # The fields the queue shows and the date checks read, not whole records and people.
    page = Paginator(selectors.review_queue_page_list(request.user), 25).get_page(
        request.GET.get("page")
    )
    flags = selectors.date_flags(list(page), selectors.local_today())
    row = _review_queue_row()
    rows = [row(r, flags[r.pk]) for r in page]
    return render(request, "certification/review_queue.html", {"page": page, "rows": rows})


def _review_queue_row():
    """One record of the review queue as HTML made in Python (the template's loop ran ≈ 15
    nodes a row): the translated badges looked up once per request (put in unescaped, as
    {% translate %} does), each distinct number
    of hours formatted once (``floatformat`` localizes: "1,50" on Spanish pages)."""
    review_link = pk_link("certification:record-review")
    credit = f' <span class="badge text-bg-info">{_("credit request")}</span>'
    check = (
        f'<br><span class="badge text-bg-warning">{_("Check the date")}</span> <span class="small">'
    )
    hours_text: dict = {}

    def row(r, flags) -> dict:
        hours = hours_text.get(r.hours)
        if hours is None:
            hours = hours_text[r.hours] = floatformat(r.hours, "-2")
        html = (
            f'\n  <li class="list-group-item"><a href="{review_link(r.pk)}">'
            f"{escape_text(r.person_name)} — {escape_text(r.course)}</a>"
            f' <span class="small">({hours} h, {r.completed_on.isoformat()})</span>'
            f"{credit if r.credit_requested else ''}\n    "
            + "".join(f"{check}{conditional_escape(flag)}</span>" for flag in flags)
            + "</li>\n"
        )
        # The record and its flags stay on the row for whoever reads the context.
        return {"record": r, "flags": flags, "html": mark_safe(html)}  # all escaped above

    return row


@role_required("supervisor")
def record_review(request, pk: int):
    record = selectors.record_get_for_review(request.user, pk)
    if record.person_id == request.user.pk:
        raise PermissionDenied(str(SelfReview.message))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record_review(
                reviewer=request.user,
                record=record,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision saved; the staff member has been told."))
            return redirect("certification:review-queue")
    # Whether (and why) the record would count toward each of the person's credentials.
    approved, _pending = selectors.records_in_play(record.person)
    today = selectors.local_today()
    standings = selectors.standings_by_person(
        [record.person], today, hours={}, records={record.person_id: approved}
    )[record.person_id]
    flags = selectors.date_flags([record], today, standings={record.person_id: standings})[
        record.pk
    ]
    return render(
        request,
        "certification/record_review.html",
        {
            "record": record,
            "form": form,
            "reviews": selectors.review_list_for_record(record),
            "flags": flags,
            "applicability": selectors.applicability_by_record([record], standings, approved)[
                record.pk
            ],
            "preview": evidence_content_type(record.evidence.name) if record.evidence else None,
        },
    )


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


@role_required("coordinator")
def certification_issue(request):
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certification_issue(actor=request.user, request=request, **form.cleaned_data)
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Certification recorded."))
            return redirect("certification:team")
    return render(request, "certification/issue_form.html", {"form": form})


@require_POST
@role_required("staff")
def certification_attest(request):
    """POST ``certification=<id>``; only the holder's own certification (else 404)."""
    try:
        pk = int(request.POST.get("certification", ""))
    except ValueError:
        pk = 0
    cert = selectors.certification_get_own(request.user, pk)
    try:
        services.certification_attest(holder=request.user, certification=cert, request=request)
    except CertificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you: your attestation is recorded."))
    return redirect("certification:progress")


@require_GET
@role_required("coordinator")
def attestation_list(request):
    page = Paginator(selectors.attestation_list_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "certification/attestation_list.html", {"page": page})


@role_required("coordinator")
def attestation_audit(request, pk: int):
    """Select an attestation for audit, look at the cycle's records and evidence, decide."""
    att = selectors.attestation_get_for(request.user, pk)
    form = AuditDecisionForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "select":
                services.attestation_audit_select(
                    actor=request.user, attestation=att, request=request
                )
                messages.success(request, _("Selected for audit; the holder has been told."))
                return redirect("certification:attestation-audit", pk=att.pk)
            if form.is_valid():
                services.attestation_audit_decide(
                    actor=request.user,
                    attestation=att,
                    passed=form.cleaned_data["outcome"] == "passed",
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
                messages.success(request, _("Audit outcome saved; the holder has been told."))
                return redirect("certification:attestation-list")
        except CertificationError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "certification/attestation_audit.html",
        {
            "attestation": att,
            "records": selectors.records_for_attestation(att),
            "form": form,
        },
    )


# --- trainings the organization runs: credit from attendance --------------------------------


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

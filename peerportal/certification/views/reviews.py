"""Supervisors' review queue and the review of one record."""

from __future__ import annotations

from html import escape as escape_text

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.links import pk_link
from peerportal.core.permissions import role_required

from .. import selectors, services
from ..evidence import evidence_content_type
from ..exceptions import CertificationError, SelfReview
from ..forms import ReviewForm

# Text typed into the database is escaped with ``escape_text`` (why: views/records.py).


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

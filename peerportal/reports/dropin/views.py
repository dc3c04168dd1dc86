"""Coordinator reports for drop-in centers: events held, RSVPs against attendance, visits.

Every count that describes people is suppressed below the threshold, on the page and in CSV.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.privacy import suppress
from peerportal.core.spreadsheet import csv_response

from . import queries
from .forms import PeriodForm


def _period(request):
    form = PeriodForm(request.GET or None)
    return form, form.period()


@role_required("coordinator")
@require_GET
def overview(request):
    form, period = _period(request)
    events = Paginator(queries.rsvps_vs_attendance(period), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dropin/report_overview.html",
        {
            "form": form,
            "period": period,
            "held": queries.events_held_by_location(period),
            "page": events,
            "per_week": queries.visits_per_week(period),
            "per_day": queries.visits_per_day(period)[:62],
            "by_category": queries.visits_by_category(period),
            "query": request.GET.urlencode(),
        },
    )


@role_required("coordinator")
@require_GET
def events_csv(request):
    _form, period = _period(request)
    audit_record(actor=request.user, action="report.dropin.events_csv", request=request)
    tz = Organization.get().tzinfo
    rows = (
        [
            timezone.localtime(event.starts_at, tz).date().isoformat(),
            event.location.name,
            event.title,
            suppress(event.rsvp_total),
            suppress(event.attended_count),
        ]
        for event in queries.rsvps_vs_attendance(period)
    )
    header = [_("date"), _("location"), _("event"), _("RSVPs"), _("attended")]
    return csv_response(f"dropin-events-{period.start}-{period.end}.csv", header, rows)


@role_required("coordinator")
@require_GET
def visits_csv(request):
    _form, period = _period(request)
    audit_record(actor=request.user, action="report.dropin.visits_csv", request=request)
    rows = (
        [row["date"].isoformat(), row["location__name"], suppress(row["total"])]
        for row in queries.visits_per_day(period)
    )
    header = [_("date"), _("location"), _("visits")]
    return csv_response(f"dropin-visits-{period.start}-{period.end}.csv", header, rows)

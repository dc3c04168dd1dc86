"""Warm-line reports (supervisors and coordinators): contacts per hour of day, per day and by
topic; coverage percentage; hours staffed per person. CSV export.

Contact counts below the suppression threshold show as "<5", on the page and in the CSV.
Call records hold no caller identity, so nothing here can name a caller.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.privacy import suppress
from peerportal.core.spreadsheet import csv_response
from peerportal.core.templatetags.formatting_cache import cached_date
from peerportal.warmline.models import CallRecord, Shift, ShiftAssignment, WarmLine

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


def _params(request) -> tuple[int, int | None]:
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and int(days) in PERIODS else DEFAULT_DAYS
    line = request.GET.get("line", "")
    return days, int(line) if line.isdigit() else None


def report_data(*, days: int = DEFAULT_DAYS, line_id: int | None = None, now=None) -> dict:
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    tz = Organization.get().tzinfo
    calls = CallRecord.objects.filter(started_at__gte=since, started_at__lt=now)
    shifts = Shift.objects.filter(starts_at__gte=since, starts_at__lt=now)
    assignments = ShiftAssignment.objects.filter(
        is_active=True, shift__starts_at__gte=since, shift__starts_at__lt=now
    )
    if line_id:
        calls = calls.filter(line_id=line_id)
        shifts = shifts.filter(line_id=line_id)
        assignments = assignments.filter(shift__line_id=line_id)

    by_hour = dict.fromkeys(range(24), 0)
    for row in (
        calls.annotate(hour=ExtractHour("started_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
    ):
        by_hour[row["hour"]] = row["n"]
    by_day = (
        calls.annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    by_type = calls.values("contact_type").annotate(n=Count("id")).order_by("contact_type")
    by_topic = (
        calls.filter(topics__isnull=False)
        .values("topics__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "topics__name")
    )
    # Shifts and covered shifts in one query: each shift's active assignments counted by a
    # correlated subquery (the page's CPU went on separate COUNTs and a Python loop).
    staffed = (
        ShiftAssignment.objects.filter(shift=OuterRef("pk"), is_active=True)
        .order_by()
        .values("shift")
        .annotate(n=Count("id"))
        .values("n")
    )
    coverage = (
        shifts.order_by()
        .annotate(staffed=Coalesce(Subquery(staffed), 0))
        .aggregate(total=Count("id"), covered=Count("id", filter=Q(staffed__gte=F("min_staff"))))
    )
    total, covered = coverage["total"], coverage["covered"]
    # Hours per person summed by the database (one row per person, not per assignment).
    hours = {
        (row["person_id"], row["person__display_name"]): row["time"].total_seconds() / 3600
        for row in assignments.order_by()
        .values("person_id", "person__display_name")
        .annotate(time=Sum(F("shift__ends_at") - F("shift__starts_at")))
    }
    types = dict(CallRecord._meta.get_field("contact_type").choices)
    by_type = list(by_type)
    return {
        "days": days,
        "line_id": line_id,
        # Every contact has a type: the total is the sum of the counts by type.
        "total_contacts": suppress(sum(r["n"] for r in by_type)),
        "by_hour": [(h, suppress(n)) for h, n in by_hour.items()],
        "by_day": [(row["day"], suppress(row["n"])) for row in by_day],
        "by_type": [
            (str(types.get(r["contact_type"], r["contact_type"])), suppress(r["n"]))
            for r in by_type
        ],
        "by_topic": [(row["topics__name"], suppress(row["n"])) for row in by_topic],
        "coverage": round(100 * covered / total) if total else None,
        "covered": covered,
        "shifts": total,
        "hours": sorted(((name, h) for (_pk, name), h in hours.items()), key=lambda r: r[0]),
    }


@require_GET
@role_required("supervisor")
def overview(request):
    days, line_id = _params(request)
    data = report_data(days=days, line_id=line_id)
    # Labels and numbers as shown, made once here rather than by |date and |floatformat in
    # the template for each of up to 365 days and every staff member.
    data.update(
        {
            "days_shown": [(cached_date(day, "D j M"), n) for day, n in data["by_day"]],
            "hours_shown": [(name, floatformat(h, 1)) for name, h in data["hours"]],
            "periods": PERIODS,
            "lines": WarmLine.objects.order_by("name").only("pk", "name"),
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "warmline/report_overview.html", data)


@require_GET
@role_required("supervisor")
def overview_csv(request):
    days, line_id = _params(request)
    audit_record(
        actor=request.user,
        action="report.export",
        request=request,
        extra={"report": "warmline", "days": days, "line": line_id},
    )
    data = report_data(days=days, line_id=line_id)
    rows = [[_("contacts"), f"{days} days", data["total_contacts"]]]
    rows += [[_("contacts by hour of day"), f"{h:02d}:00", n] for h, n in data["by_hour"]]
    rows += [[_("contacts by day"), d.isoformat(), n] for d, n in data["by_day"]]
    rows += [[_("contacts by type"), t, n] for t, n in data["by_type"]]
    rows += [[_("contacts by topic"), t, n] for t, n in data["by_topic"]]
    coverage = data["coverage"] if data["coverage"] is not None else ""
    rows.append([_("coverage percent"), "", coverage])
    rows += [[_("hours staffed"), name, f"{h:.1f}"] for name, h in data["hours"]]
    return csv_response("warm-line-report.csv", [_("measure"), _("key"), _("value")], rows)

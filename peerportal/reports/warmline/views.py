"""Warm-line reports: contacts by hour, day and topic; coverage; hours staffed per person.

Contact counts below the suppression threshold show as "<5".
"""

from __future__ import annotations

import csv
import datetime as dt

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.privacy import suppress
from peerportal.warmline.models import CallRecord, Shift, ShiftAssignment

PERIOD_DAYS = 30


def report_data(now=None) -> dict:
    now = now or timezone.now()
    since = now - dt.timedelta(days=PERIOD_DAYS)
    tz = Organization.get().tzinfo
    calls = list(
        CallRecord.objects.filter(started_at__gte=since).values_list("started_at", flat=True)
    )
    by_hour = dict.fromkeys(range(24), 0)
    by_day: dict[dt.date, int] = {}
    for started in calls:
        local = timezone.localtime(started, tz)
        by_hour[local.hour] += 1
        by_day[local.date()] = by_day.get(local.date(), 0) + 1
    topics = (
        CallRecord.objects.filter(started_at__gte=since)
        .values("topics__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    shifts = Shift.objects.filter(starts_at__gte=since, starts_at__lt=now).with_coverage()
    total = shifts.count()
    covered = sum(1 for s in shifts if s.staffed >= s.min_staff)
    hours: dict[str, float] = {}
    for a in ShiftAssignment.objects.filter(
        is_active=True, shift__starts_at__gte=since, shift__starts_at__lt=now
    ).select_related("shift", "person"):
        name = a.person.display_name
        hours[name] = (
            hours.get(name, 0) + (a.shift.ends_at - a.shift.starts_at).total_seconds() / 3600
        )
    return {
        "total_contacts": suppress(len(calls)),
        "by_hour": [(h, suppress(n)) for h, n in by_hour.items()],
        "by_day": [(d, suppress(n)) for d, n in sorted(by_day.items())],
        "by_topic": [(row["topics__name"] or "—", suppress(row["n"])) for row in topics],
        "coverage": round(100 * covered / total) if total else None,
        "shifts": total,
        "hours": sorted(hours.items()),
        "period_days": PERIOD_DAYS,
    }


@require_GET
@role_required("supervisor")
def overview(request):
    return render(request, "warmline/report_overview.html", report_data())


@require_GET
@role_required("supervisor")
def overview_csv(request):
    audit_record(
        actor=request.user, action="report.export", request=request, extra={"report": "warmline"}
    )
    data = report_data()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="warm-line-report.csv"'
    writer = csv.writer(response)
    writer.writerow(["measure", "key", "value"])
    for h, n in data["by_hour"]:
        writer.writerow(["contacts by hour", h, n])
    for d, n in data["by_day"]:
        writer.writerow(["contacts by day", d.isoformat(), n])
    for t, n in data["by_topic"]:
        writer.writerow(["contacts by topic", t, n])
    writer.writerow(
        ["coverage percent", "", data["coverage"] if data["coverage"] is not None else ""]
    )
    return response

"""Warm-line reports (supervisors and coordinators): contacts per hour of day, per day and by
topic; coverage percentage; hours staffed per person. CSV export.

Contact counts below the suppression threshold show as "<5", on the page and in the CSV.
Call records hold no caller identity, so nothing here can name a caller.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.audit import audit_record
from peerportal.core.markup import escape_value
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.privacy import suppress
from peerportal.core.spreadsheet import csv_response
from peerportal.core.templatetags.formatting_cache import cached_date
from peerportal.warmline.models import ContactType

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


def _params(request) -> tuple[int, int | None]:
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and int(days) in PERIODS else DEFAULT_DAYS
    line = request.GET.get("line", "")
    return days, int(line) if line.isdigit() else None


# The report's figures in three hand-written statements. Building and compiling the seven
# ORM queries they replace (annotate, ExtractHour, TruncDate, a correlated Subquery) was most
# of the page's Python, more than the database took to run them. Local hours and days come
# from the backend's own time-zone SQL (``connection.ops``, as ExtractHour and TruncDate use
# it), so the SQL runs on PostgreSQL and SQLite alike; tests compare it with a count in Python.
#
# Contacts: the period's calls read once (``c``), then counted by local hour, local day, type
# and topic, as rows (kind, hour, day, label, n). Topics are ordered by the database (count,
# then name in its collation), as before; the call-topic link is unique per (call, topic), so
# COUNT(*) counts distinct calls. Topic links are matched to the period's calls by ``in_calls``
# rather than a join on ``c``: on PostgreSQL ``= ANY(ARRAY(…))``, which looks the calls' links
# up in the link table's index instead of reading and hashing every call's links (a month of
# the bench data: 1.5 ms instead of 3.2 ms); elsewhere ``IN (…)``.
CALLS_SQL = """
WITH c AS (
    SELECT id, {local_hour} AS local_hour, {local_day} AS local_day, contact_type
    FROM warmline_callrecord
    WHERE started_at >= %s AND started_at < %s{line}
)
SELECT 'hour', local_hour, CAST(NULL AS date), CAST(NULL AS varchar(80)), COUNT(*)
    FROM c GROUP BY local_hour
UNION ALL
SELECT 'day', NULL, local_day, NULL, COUNT(*) FROM c GROUP BY local_day
UNION ALL
SELECT 'type', NULL, NULL, contact_type, COUNT(*) FROM c GROUP BY contact_type
UNION ALL
SELECT 'topic', NULL, NULL, t.name, COUNT(*)
    FROM warmline_callrecord_topics ct
    JOIN warmline_calltopic t ON t.id = ct.calltopic_id
    WHERE ct.callrecord_id {in_calls}
    GROUP BY t.name
ORDER BY 1, 5 DESC, 4
"""
# Past shifts, and those whose active assignments reached the shift's minimum staff.
COVERAGE_SQL = """
SELECT COUNT(*), COUNT(CASE WHEN (
        SELECT COUNT(*) FROM warmline_shiftassignment a WHERE a.shift_id = s.id AND a.is_active
    ) >= s.min_staff THEN 1 END)
FROM warmline_shift s
WHERE s.starts_at >= %s AND s.starts_at < %s{line}
"""
# Time staffed per person, summed by the database (one row per person, not per assignment).
HOURS_SQL = """
SELECT p.id, p.display_name, SUM({duration})
FROM warmline_shiftassignment a
JOIN warmline_shift s ON s.id = a.shift_id
JOIN accounts_user p ON p.id = a.person_id
WHERE a.is_active AND s.starts_at >= %s AND s.starts_at < %s{line}
GROUP BY p.id, p.display_name
ORDER BY p.id
"""


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def report_data(*, days: int = DEFAULT_DAYS, line_id: int | None = None, now=None) -> dict:
    now = now or timezone.now()
    ops = connection.ops
    window = [
        ops.adapt_datetimefield_value(now - dt.timedelta(days=days)),
        ops.adapt_datetimefield_value(now),
    ]
    tz_name = Organization.get().time_zone
    local_hour, hour_params = ops.datetime_extract_sql("hour", "started_at", (), tz_name)
    local_day, day_params = ops.datetime_cast_date_sql("started_at", (), tz_name)
    duration, _no_params = ops.subtract_temporals(
        "DateTimeField", ("s.ends_at", ()), ("s.starts_at", ())
    )
    where = [*window, line_id] if line_id else window

    by_hour = dict.fromkeys(range(24), 0)
    by_day, by_type, by_topic = [], {}, []
    calls_sql = CALLS_SQL.format(
        local_hour=local_hour,
        local_day=local_day,
        line=" AND line_id = %s" if line_id else "",
        in_calls=(
            "= ANY(ARRAY(SELECT id FROM c))"
            if connection.vendor == "postgresql"
            else "IN (SELECT id FROM c)"
        ),
    )
    for kind, hour, day, label, n in _rows(calls_sql, [*hour_params, *day_params, *where]):
        if kind == "hour":
            by_hour[int(hour)] = n
        elif kind == "day":
            # SQLite's date function answers an ISO string, PostgreSQL a date.
            by_day.append((day if isinstance(day, dt.date) else dt.date.fromisoformat(day), n))
        elif kind == "type":
            by_type[label] = n
        else:
            by_topic.append((label, n))
    by_day.sort()

    line = " AND s.line_id = %s" if line_id else ""
    [(total, covered)] = _rows(COVERAGE_SQL.format(line=line), where)
    hours = []
    for _pk, name, time in _rows(HOURS_SQL.format(duration=duration, line=line), where):
        # PostgreSQL sums intervals; SQLite sums microseconds (Django's timestamp diff).
        if not isinstance(time, dt.timedelta):
            time = dt.timedelta(microseconds=time)
        hours.append((name, time.total_seconds() / 3600))
    hours.sort(key=lambda r: r[0])

    labels = dict(ContactType.choices)
    threshold = settings.REPORT_SUPPRESSION_THRESHOLD
    return {
        "days": days,
        "line_id": line_id,
        # Every contact has a type: the total is the sum of the counts by type.
        "total_contacts": suppress(sum(by_type.values()), threshold),
        "by_hour": [(h, suppress(n, threshold)) for h, n in by_hour.items()],
        "by_day": [(day, suppress(n, threshold)) for day, n in by_day],
        "by_type": [
            (str(labels.get(code, code)), suppress(n, threshold))
            for code, n in sorted(by_type.items())
        ],
        "by_topic": [(name, suppress(n, threshold)) for name, n in by_topic],
        "coverage": round(100 * covered / total) if total else None,
        "covered": covered,
        "shifts": total,
        "hours": hours,
    }


# One row of the page's tables: a label and a number, both escaped as the template would.
ROW = '<tr><th scope="row">{}</th><td>{}</td></tr>'


def _rows_html(rows) -> SafeString:
    """A table body's rows as HTML (empty when there are none): built here in one pass
    instead of by a template loop rendering two variables per row (≈ 130 rows a page)."""
    return mark_safe(
        "".join([ROW.format(escape_value(label), escape_value(n)) for label, n in rows])
    )


@lru_cache(maxsize=4096)
def _hours_shown(hours: float, language: str | None) -> str:
    """``|floatformat:1`` of a person's hours (its rounding and the language's decimal
    mark), remembered per process: the same few values recur (whole and quarter hours)."""
    return floatformat(hours, 1)


@require_GET
@role_required("supervisor")
def overview(request):
    days, line_id = _params(request)
    data = report_data(days=days, line_id=line_id)
    # Labels and numbers as shown, made once here rather than by |date, |floatformat and
    # |stringformat in the template for each of up to 365 days and every staff member.
    language = get_language()
    data.update(
        {
            "hour_rows": _rows_html((f"{h:02d}:00", n) for h, n in data["by_hour"]),
            "type_rows": _rows_html(data["by_type"]),
            "topic_rows": _rows_html(data["by_topic"]),
            "day_rows": _rows_html((cached_date(day, "D j M"), n) for day, n in data["by_day"]),
            "hour_staffed_rows": _rows_html(
                (name, _hours_shown(h, language)) for name, h in data["hours"]
            ),
            "periods": PERIODS,
            "lines": _rows("SELECT id, name FROM warmline_warmline ORDER BY name", ()),
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

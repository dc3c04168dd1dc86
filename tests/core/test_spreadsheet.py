from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.core.spreadsheet import csv_response, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Peer circle", "", "1-2", -3, Decimal("-1.5"), None, True])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_csv_response_is_an_attachment_with_every_cell_made_safe():
    response = csv_response("report.csv", ["name", "=count"], [["=cmd", 2], ["Quiet", -1]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "'=count"], ["'=cmd", "2"], ["Quiet", "-1"]]


@pytest.mark.django_db
def test_warm_line_report_csv_cannot_carry_a_formula_in_a_topic_name(supervisor_client, staff):
    from peerportal.warmline import services
    from tests.warmline.factories import CallTopicFactory, WarmLineFactory

    line = WarmLineFactory(members=[staff])
    topic = CallTopicFactory(name="=HYPERLINK(1)")
    for _ in range(6):  # enough contacts that the topic row is not suppressed
        services.call_record_create(
            author=staff,
            line=line,
            topics=[topic],
            contact_type="call",
            started_at=timezone.now() - dt.timedelta(hours=1),
            duration_minutes=5,
        )
    text = supervisor_client.get(reverse("reports:warmline:overview-csv")).content.decode()
    assert "'=HYPERLINK(1)" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text

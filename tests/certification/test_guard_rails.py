# ruff: noqa: F811 — the "pinned" fixture comes from tests.clock and is a parameter here
"""Guard rails on certification forms and services (core.bounds): training records,
supervision sessions, issued credentials. A bad value gets a clear message and changes
nothing; the clock is pinned at awkward instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.certification import services
from peerportal.certification.exceptions import CertificationError
from peerportal.certification.models import Certification, SupervisionSession, TrainingRecord
from tests.clock import NEW_YORK, pinned  # noqa: F401 — fixture

from .factories import CredentialTypeFactory, TrainingRecordFactory


def today(instant) -> dt.date:
    return timezone.localdate(instant, NEW_YORK)


@pytest.mark.parametrize(
    ("completed", "hours", "field", "words"),
    [
        ("2030-06-01", "3", "completed_on", "future"),
        ("tomorrow", "3", "completed_on", "future"),
        ("1900-06-01", "3", "completed_on", "1990"),
        ("today", "0", "hours", ""),
        ("today", "500", "hours", "between 0.25 and 120"),
    ],
)
def test_record_form_refuses_impossible_records(
    pinned, staff_client, completed, hours, field, words
):
    day = {"today": today(pinned), "tomorrow": today(pinned) + dt.timedelta(days=1)}
    response = staff_client.post(
        reverse("certification:record-create"),
        {
            "course": "Guard rail course",
            "provider": "Invented Institute",
            "completed_on": str(day.get(completed, completed)),
            "hours": hours,
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert errors and words in errors
    assert "cert_record_hours_positive" not in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_a_record_completed_today_is_fine(pinned, staff_client):
    response = staff_client.post(
        reverse("certification:record-create"),
        {
            "course": "Guard rail course",
            "provider": "Invented Institute",
            "completed_on": str(today(pinned)),
            "hours": "40",
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.count() == 1


def test_record_services_refuse_what_the_form_refuses(pinned, staff):
    with pytest.raises(CertificationError, match="future"):
        services.training_record_submit(
            person=staff,
            course="Guard rail course",
            provider="Invented Institute",
            completed_on=dt.date(2030, 1, 1),
            hours=Decimal(3),
        )
    assert not TrainingRecord.objects.exists()
    record = TrainingRecordFactory(
        person=staff, completed_on=today(pinned), status="changes_requested"
    )
    with pytest.raises(CertificationError, match="1990"):
        services.training_record_resubmit(
            person=staff, record=record, completed_on=dt.date(1900, 1, 1)
        )
    record.refresh_from_db()
    assert record.completed_on == today(pinned) and record.status == "changes_requested"


@pytest.mark.parametrize(
    ("day", "hours", "field", "words"),
    [
        ("2031-03-01", "1", "date", "future"),
        ("long-ago", "1", "date", "a year"),
        ("today", "12", "hours", "between 0.25 and 8"),
    ],
)
def test_supervision_form_refuses_impossible_sessions(
    pinned, staff, supervisor_client, day, hours, field, words
):
    days = {"today": today(pinned), "long-ago": today(pinned) - dt.timedelta(days=800)}
    response = supervisor_client.post(
        reverse("certification:supervision-create"),
        {"staff": staff.pk, "date": str(days.get(day, day)), "hours": hours},
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not SupervisionSession.objects.exists()


def test_supervision_service_refuses_a_session_in_2031(pinned, staff, supervisor):
    with pytest.raises(CertificationError, match="future"):
        services.supervision_log(
            supervisor=supervisor, staff=staff, date=dt.date(2031, 1, 1), hours=Decimal(1)
        )
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize(
    ("issued", "expires", "field", "words"),
    [
        ("1900-01-01", "", "issued_on", "1990"),
        ("2030-01-01", "", "issued_on", "future"),
        ("today", "yesterday", "expires_on", "after the issue"),
        ("today", "2090-01-01", "expires_on", "ten years"),
    ],
)
def test_issue_form_refuses_impossible_dates(
    pinned, staff, coordinator_client, issued, expires, field, words
):
    credential = CredentialTypeFactory()
    days = {"today": today(pinned), "yesterday": today(pinned) - dt.timedelta(days=1)}
    response = coordinator_client.post(
        reverse("certification:certification-issue"),
        {
            "holder": staff.pk,
            "credential_type": credential.pk,
            "issued_on": str(days.get(issued, issued)),
            "expires_on": str(days.get(expires, expires)) if expires else "",
        },
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not Certification.objects.exists()


def test_issue_service_refuses_what_the_form_refuses(pinned, staff, coordinator):
    credential = CredentialTypeFactory()
    with pytest.raises(CertificationError, match="ten years"):
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=credential,
            issued_on=today(pinned),
            expires_on=dt.date(2099, 1, 1),
        )
    assert not Certification.objects.exists()

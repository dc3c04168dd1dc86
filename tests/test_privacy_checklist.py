"""The security checklist of issue #8 that spans apps.

* Logs, Celery task payloads and URLs carry no names, emails or notes.
* Members hitting supervisor/coordinator URLs get 403 (the matrix covers every URL; here
  the headline cases are spelled out).
"""

from __future__ import annotations

import logging

import pytest
from celery.signals import before_task_publish
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD, UserFactory

SENSITIVE_DISPLAY_NAME = "Zephyrine Quillfeather"
SENSITIVE_EMAIL = "zephyrine.quillfeather@example.test"


@pytest.fixture
def captured(caplog):
    """Everything logged (all levels) and every Celery task published during the test."""
    payloads: list[str] = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        payloads.append(repr(body) + repr(headers))

    before_task_publish.connect(on_publish, weak=False)
    caplog.set_level(logging.DEBUG)
    yield caplog, payloads
    before_task_publish.disconnect(on_publish)


def _portal_logs(caplog) -> list[str]:
    """Log lines of the portal and its libraries — not of the test factories themselves."""
    return [r.getMessage() for r in caplog.records if not r.name.startswith("factory")]


def _assert_clean(texts):
    for text in texts:
        assert SENSITIVE_DISPLAY_NAME not in text
        assert SENSITIVE_EMAIL not in text
        assert "zephyrine" not in text.lower()


def test_account_flows_log_no_names_or_emails(client, db, captured, coordinator_client, settings):
    caplog, payloads = captured
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.post(
        reverse("account_signup"),
        {
            "email": SENSITIVE_EMAIL,
            "display_name": SENSITIVE_DISPLAY_NAME,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    urls = [response.get("Location", "")]
    client.post(reverse("account_login"), {"login": SENSITIVE_EMAIL, "password": "wrong"})
    from peerportal.accounts.models import User

    person = User.objects.get(email=SENSITIVE_EMAIL)
    response = coordinator_client.post(
        reverse("accounts:person-role-edit", args=[person.pk]), {"role": "peer_specialist"}
    )
    urls.append(response.get("Location", ""))
    _assert_clean(_portal_logs(caplog) + payloads + urls)


def test_members_get_403_on_supervisor_and_coordinator_pages(member_client):
    for name in ("accounts:people-list", "core:audit-list", "core:organization-edit"):
        assert member_client.get(reverse(name)).status_code == 403, name


def test_urls_never_carry_emails(db):
    user = UserFactory(email=SENSITIVE_EMAIL, display_name=SENSITIVE_DISPLAY_NAME)
    for name in ("accounts:person-role-edit",):
        assert SENSITIVE_EMAIL not in reverse(name, args=[user.pk])


def test_booking_and_rsvp_flows_log_no_names_or_emails(
    db, captured, django_capture_on_commit_callbacks
):
    from django.test import Client

    from peerportal.dropin.models import Event
    from peerportal.reminders.dispatch import dispatch_due
    from tests.factories import LocationFactory
    from tests.groups.factories import GroupSessionFactory

    caplog, payloads = captured
    person = UserFactory(email=SENSITIVE_EMAIL, display_name=SENSITIVE_DISPLAY_NAME)
    client = Client()
    client.force_login(person)
    session = GroupSessionFactory(group__capacity=1)
    start = session.starts_at
    event = Event.objects.create(
        location=LocationFactory(),
        title="Open studio",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
        capacity=5,
        rsvp_enabled=True,
    )
    urls = []
    with django_capture_on_commit_callbacks(execute=True):
        urls.append(
            client.post(reverse("groups:booking-create", args=[session.pk])).get("Location", "")
        )
        urls.append(client.post(reverse("dropin:rsvp-create", args=[event.pk])).get("Location", ""))
    dispatch_due()
    _assert_clean(_portal_logs(caplog) + payloads + urls)


@pytest.mark.clock()  # 31 requests inside one rate-limit minute, however slow the machine
def test_rsvp_and_booking_endpoints_are_rate_limited_per_account(member_client):
    from peerportal.dropin.models import Event
    from tests.factories import LocationFactory

    start = timezone.now() + timezone.timedelta(days=2)
    event = Event.objects.create(
        location=LocationFactory(),
        title="Busy",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
        rsvp_enabled=True,
    )
    url = reverse("dropin:rsvp-cancel", args=[event.pk])
    statuses = [member_client.post(url).status_code for _ in range(31)]
    assert statuses[-1] == 429

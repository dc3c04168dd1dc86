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
    _assert_clean([r.getMessage() for r in caplog.records] + payloads + urls)


def test_members_get_403_on_supervisor_and_coordinator_pages(member_client):
    for name in ("accounts:people-list", "core:audit-list", "core:organization-edit"):
        assert member_client.get(reverse(name)).status_code == 403, name


def test_urls_never_carry_emails(db):
    user = UserFactory(email=SENSITIVE_EMAIL, display_name=SENSITIVE_DISPLAY_NAME)
    for name in ("accounts:person-role-edit",):
        assert SENSITIVE_EMAIL not in reverse(name, args=[user.pk])

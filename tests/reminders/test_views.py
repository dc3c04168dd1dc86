"""Reminder pages for each persona, and the public one-click unsubscribe link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import AuditEvent
from peerportal.reminders.models import NotificationPreference, ReminderStatus
from peerportal.reminders.sending import unsubscribe_token

from .factories import ReminderFactory
from .kinds import NOTICE, UPCOMING, URGENT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["member", "staff", "supervisor", "coordinator"])
def test_everyone_signed_in_sees_only_their_own_upcoming_reminders(
    persona, persona_clients, request, place, other_member
):
    me = request.getfixturevalue(persona)
    future = timezone.now() + dt.timedelta(days=1)
    ReminderFactory(target=place, recipient=me, kind=UPCOMING, due_at=future)
    ReminderFactory(target=place, recipient=me, status=ReminderStatus.SENT)
    ReminderFactory(target=place, recipient=other_member, kind=NOTICE, due_at=future)
    response = persona_clients[persona].get(reverse("reminders:reminder-list"))
    assert response.status_code == 200
    assert [r.recipient_id for r, _label in response.context["rows"]] == [me.pk]
    assert "Test upcoming" in response.content.decode()
    assert other_member.display_name not in response.content.decode()


def test_the_reminder_list_has_an_empty_state(member_client):
    response = member_client.get(reverse("reminders:reminder-list"))
    assert "No reminders are waiting" in response.content.decode()


def test_a_member_saves_kinds_offsets_and_quiet_hours(member_client, member):
    url = reverse("reminders:preference-edit")
    assert member_client.get(url).status_code == 200
    response = member_client.post(
        url,
        {
            f"enabled__{UPCOMING}": "on",
            f"offsets__{UPCOMING}": ["2880", "120"],
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
        },
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=member)
    assert NOTICE in pref.disabled_kinds and UPCOMING not in pref.disabled_kinds
    assert URGENT not in pref.disabled_kinds
    assert pref.offsets[UPCOMING] == [120, 2880]
    assert pref.quiet_hours_start == dt.time(22) and pref.quiet_hours_end == dt.time(7)


def test_default_offsets_are_not_stored_as_a_choice(member_client, member):
    member_client.post(
        reverse("reminders:preference-edit"),
        {f"enabled__{UPCOMING}": "on", f"offsets__{UPCOMING}": ["1440", "120"]},
    )
    assert UPCOMING not in NotificationPreference.objects.get(user=member).offsets


def test_quiet_hours_need_both_ends(member_client, member):
    response = member_client.post(
        reverse("reminders:preference-edit"), {"quiet_hours_start": "22:00"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_the_unsubscribe_link_asks_before_unsubscribing(anonymous_client, member):
    url = reverse(
        "reminders:preference-unsubscribe", args=[unsubscribe_token(user=member, kind_code=NOTICE)]
    )
    response = anonymous_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "Test notice" in body
    assert member.email not in body and member.display_name not in body
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_rfc_8058_one_click_post_unsubscribes_without_a_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    url = reverse(
        "reminders:preference-unsubscribe", args=[unsubscribe_token(user=member, kind_code=NOTICE)]
    )
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    pref = NotificationPreference.objects.get(user=member)
    assert pref.disabled_kinds == [NOTICE]
    assert AuditEvent.objects.filter(action="reminders.unsubscribe").exists()


def test_the_confirmation_form_can_unsubscribe_from_every_optional_kind(anonymous_client, member):
    url = reverse(
        "reminders:preference-unsubscribe", args=[unsubscribe_token(user=member, kind_code=NOTICE)]
    )
    anonymous_client.post(url, {"scope": "all"})
    disabled = NotificationPreference.objects.get(user=member).disabled_kinds
    assert NOTICE in disabled and UPCOMING in disabled and URGENT not in disabled


def test_an_unsubscribe_link_for_a_notice_that_cannot_be_switched_off_offers_all_optional(
    anonymous_client, member
):
    url = reverse(
        "reminders:preference-unsubscribe", args=[unsubscribe_token(user=member, kind_code=URGENT)]
    )
    anonymous_client.post(url, {"List-Unsubscribe": "One-Click"})
    disabled = NotificationPreference.objects.get(user=member).disabled_kinds
    assert URGENT not in disabled and NOTICE in disabled


@pytest.mark.parametrize("token", ["no-such-thing", "eyJ1IjoxLCJrIjoiIn0:1xVHRP:forged"])
def test_a_forged_or_broken_unsubscribe_link_is_not_found(anonymous_client, token, member):
    url = reverse("reminders:preference-unsubscribe", args=[token])
    assert anonymous_client.get(url).status_code == 404
    assert anonymous_client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("persona", ["member", "staff", "supervisor"])
def test_only_coordinators_see_failed_reminders(persona, persona_clients):
    assert (
        persona_clients[persona].get(reverse("reminders:reminder-failed-list")).status_code == 403
    )


def test_a_coordinator_sees_failed_reminders_with_an_error_code(coordinator_client, place, member):
    ReminderFactory(
        target=place,
        recipient=member,
        status=ReminderStatus.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused:550",
    )
    ReminderFactory(target=place, recipient=member, status=ReminderStatus.SENT)
    response = coordinator_client.get(reverse("reminders:reminder-failed-list"))
    body = response.content.decode()
    assert len(response.context["rows"]) == 1
    assert "SMTPRecipientsRefused:550" in body and 'data-confirm="' in body


def test_a_coordinator_retries_a_failed_reminder_and_it_is_sent(
    coordinator_client, place, member, mailbox, django_capture_on_commit_callbacks
):
    failed = ReminderFactory(
        target=place, recipient=member, status=ReminderStatus.FAILED, attempts=5, last_error="X"
    )
    url = reverse("reminders:reminder-retry", args=[failed.pk])
    assert coordinator_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ReminderStatus.SENT and len(mailbox) == 1
    assert AuditEvent.objects.filter(action="reminders.retry", object_id=str(failed.pk)).exists()


def test_retrying_a_reminder_that_is_not_failed_is_not_found(coordinator_client, place):
    sent = ReminderFactory(target=place, status=ReminderStatus.SENT)
    response = coordinator_client.post(reverse("reminders:reminder-retry", args=[sent.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["member", "staff", "supervisor"])
def test_only_coordinators_can_retry(persona, persona_clients, place):
    failed = ReminderFactory(target=place, status=ReminderStatus.FAILED)
    url = reverse("reminders:reminder-retry", args=[failed.pk])
    assert persona_clients[persona].post(url).status_code == 403
    failed.refresh_from_db()
    assert failed.status == ReminderStatus.FAILED


def test_the_coordinator_dashboard_shows_the_failed_count(coordinator_client, place):
    ReminderFactory(target=place, status=ReminderStatus.FAILED)
    response = coordinator_client.get(reverse("core:dashboard"))
    assert "1 reminder could not be sent." in response.content.decode()


def test_navigation_links_to_my_reminders(member_client):
    response = member_client.get(reverse("core:dashboard"))
    assert reverse("reminders:reminder-list") in response.content.decode()

"""The send task: preferences, quiet hours, rendering, headers, failures and retries."""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from peerportal.reminders import dispatch
from peerportal.reminders.models import NotificationPreference, ReminderStatus
from peerportal.reminders.sending import read_unsubscribe_token, reminder_send

from .factories import ReminderFactory
from .kinds import NOTICE, URGENT

pytestmark = pytest.mark.django_db


def _claimed(**kwargs):
    now = timezone.now()
    return ReminderFactory(status=ReminderStatus.SENDING, claimed_at=now, **kwargs)


def test_the_email_has_subject_text_html_and_a_one_click_unsubscribe_header(place, mailbox):
    reminder = _claimed(target=place)
    assert reminder_send(reminder_id=reminder.pk) == "sent"
    (message,) = mailbox
    assert message.subject == "Notice about Harbor Test Room in en"
    assert message.to == [reminder.recipient.email]
    assert "Place: Harbor Test Room" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<p>Place: Harbor Test Room</p>" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/reminders/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == {"u": reminder.recipient.pk, "k": NOTICE}
    assert unsubscribe.strip("<>") in message.body and unsubscribe.strip("<>") in html
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT


def test_the_header_and_the_body_carry_the_same_unsubscribe_link(place, mailbox, monkeypatch):
    """Signing twice can straddle a second and give two tokens; the email signs once."""
    from peerportal.reminders import sending

    calls = iter(range(1000))
    real = sending.preferences_url
    monkeypatch.setattr(
        sending,
        "preferences_url",
        lambda **kw: f"{real(**kw)}?n={next(calls)}",
    )
    assert reminder_send(reminder_id=_claimed(target=place).pk) == "sent"
    (message,) = mailbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link in message.alternatives[0][0]


def test_links_use_the_site_url_setting(place, mailbox, settings):
    settings.SITE_URL = "https://portal.example.org/"
    reminder = _claimed(target=place)
    reminder_send(reminder_id=reminder.pk)
    assert (
        "<https://portal.example.org/reminders/unsubscribe/"
        in mailbox[0].extra_headers["List-Unsubscribe"]
    )


def test_the_email_is_in_the_recipients_language_and_time_zone(place, mailbox):
    reminder = _claimed(target=place)
    recipient = reminder.recipient
    recipient.preferred_language = "es"
    recipient.time_zone = "Europe/Madrid"
    recipient.save()
    reminder_send(reminder_id=reminder.pk)
    (message,) = mailbox
    assert message.subject.endswith("in es")
    assert "lang=es tz=Europe/Madrid" in message.body
    local = timezone.localtime(reminder.due_at, zoneinfo.ZoneInfo("Europe/Madrid"))
    assert f"due={local:%H:%M}" in message.body


def test_without_a_personal_time_zone_the_organizations_is_used(place, mailbox):
    from peerportal.core.models import Organization

    org = Organization.get()
    org.time_zone = "America/Chicago"
    org.save()
    reminder_send(reminder_id=_claimed(target=place).pk)
    assert "tz=America/Chicago" in mailbox[0].body


def test_attachments_from_the_context_are_attached(place, mailbox):
    place.phone = "attach"
    place.save()
    reminder_send(reminder_id=_claimed(target=place).pk)
    assert mailbox[0].attachments[0][0] == "visit.ics"


def test_a_switched_off_kind_is_cancelled_not_sent(place, mailbox):
    reminder = _claimed(target=place)
    NotificationPreference.objects.create(user=reminder.recipient, disabled_kinds=[NOTICE])
    assert reminder_send(reminder_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED and not mailbox


def test_a_kind_that_is_not_optional_is_sent_even_if_listed_as_off(place, mailbox):
    reminder = _claimed(target=place, kind=URGENT)
    NotificationPreference.objects.create(user=reminder.recipient, disabled_kinds=[URGENT])
    assert reminder_send(reminder_id=reminder.pk) == "sent"


def _quiet_all_day_except_one_hour(user, now):
    """Quiet hours that certainly contain ``now`` and end one hour after it (local)."""
    tz = zoneinfo.ZoneInfo("America/New_York")
    user.time_zone = "America/New_York"
    user.save()
    local = timezone.localtime(now, tz)
    end = (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    start = (local - dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    return NotificationPreference.objects.create(
        user=user, quiet_hours_start=start, quiet_hours_end=end
    )


def test_quiet_hours_defer_a_non_urgent_reminder_to_their_end(place, mailbox):
    reminder = _claimed(target=place)
    now = timezone.now()
    pref = _quiet_all_day_except_one_hour(reminder.recipient, now)
    assert reminder_send(reminder_id=reminder.pk) == "deferred"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING and not mailbox
    new_york = zoneinfo.ZoneInfo("America/New_York")
    local_end = timezone.localtime(reminder.not_before, new_york)
    assert local_end.time() == pref.quiet_hours_end
    # One wall-clock hour later: two real hours when the clocks fall back in between.
    assert local_end.replace(tzinfo=None) - timezone.localtime(now, new_york).replace(
        tzinfo=None
    ) <= dt.timedelta(hours=1)
    assert now < reminder.not_before <= now + dt.timedelta(hours=2)
    # Once quiet hours are over (here: switched off) it goes out at the next scan.
    pref.delete()
    assert dispatch.dispatch_due(now=reminder.not_before + dt.timedelta(seconds=1)) == 1
    assert len(mailbox) == 1


def test_urgent_kinds_ignore_quiet_hours(place, mailbox):
    reminder = _claimed(target=place, kind=URGENT)
    _quiet_all_day_except_one_hour(reminder.recipient, timezone.now())
    assert reminder_send(reminder_id=reminder.pk) == "sent"


def test_an_obsolete_cause_cancels_the_reminder(place, mailbox):
    reminder = _claimed(target=place)
    place.is_active = False
    place.save()
    assert reminder_send(reminder_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED and not mailbox


def test_an_inactive_recipient_gets_nothing(place, mailbox):
    reminder = _claimed(target=place)
    reminder.recipient.is_active = False
    reminder.recipient.save()
    assert reminder_send(reminder_id=reminder.pk) == "cancelled"
    assert not mailbox


@pytest.mark.parametrize("status", [ReminderStatus.PENDING, ReminderStatus.SENT])
def test_a_send_task_for_a_row_that_is_not_claimed_does_nothing(place, mailbox, status):
    reminder = ReminderFactory(target=place, status=status)
    assert reminder_send(reminder_id=reminder.pk) == "skipped"
    assert reminder_send(reminder_id=987654) == "skipped"
    assert not mailbox


def test_a_duplicated_send_task_sends_once(place, mailbox):
    from peerportal.reminders.tasks import send_reminder

    reminder = _claimed(target=place)
    send_reminder.apply(args=(reminder.pk,))
    send_reminder.apply(args=(reminder.pk,))
    assert len(mailbox) == 1


def test_only_the_task_holding_the_lease_sends(place, mailbox):
    """Two tasks loaded the same claim; the second finds the lease taken and stops."""
    reminder = _claimed(target=place)
    reminder.__class__.objects.filter(pk=reminder.pk).update(
        send_started_at=timezone.now(), lease_token=uuid.uuid4()
    )
    assert reminder_send(reminder_id=reminder.pk) == "skipped"
    assert not mailbox


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return False

    def close(self):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {messages[0].to[0]: (550, b"5.1.1 <someone@example.test> no such user")}
        )


def test_an_smtp_error_is_retried_with_back_off_and_only_an_error_code_is_kept(
    place, mailbox, settings
):
    settings.EMAIL_BACKEND = "tests.reminders.test_sending.RefusingBackend"
    reminder = _claimed(target=place)
    before = timezone.now()
    assert reminder_send(reminder_id=reminder.pk) == "retry"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.attempts == 1
    assert reminder.last_error == "SMTPRecipientsRefused:550"
    assert reminder.recipient.email not in reminder.last_error
    assert reminder.not_before >= before + dt.timedelta(minutes=1)
    assert reminder.claimed_at is None and reminder.send_started_at is None


def test_a_reminder_fails_after_the_last_attempt(place, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_sending.RefusingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    reminder = _claimed(target=place, attempts=2)
    assert reminder_send(reminder_id=reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED and reminder.attempts == 3


def test_a_broken_template_does_not_stop_the_other_reminders(place, mailbox, test_kinds):
    from peerportal.reminders.registry import register_kind

    register_kind("test_broken", label="Broken", context=lambda r: {})
    try:
        broken = ReminderFactory(target=place, kind="test_broken")
        fine = ReminderFactory(target=place)
        dispatch.dispatch_due()
    finally:
        from peerportal.reminders import registry

        registry._kinds.pop("test_broken", None)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == ReminderStatus.PENDING and broken.last_error == "TemplateDoesNotExist"
    assert fine.status == ReminderStatus.SENT and len(mailbox) == 1


def test_subjects_are_one_line(place, mailbox):
    reminder_send(reminder_id=_claimed(target=place).pk)
    assert "\n" not in mailbox[0].subject

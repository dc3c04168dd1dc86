"""Scheduling through the outbox, and preferences that shape it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from peerportal.reminders import services
from peerportal.reminders.models import NotificationPreference, Reminder, ReminderStatus
from peerportal.reminders.preferences import in_quiet_hours, offsets_for, quiet_hours_end_after

from .kinds import NOTICE, UPCOMING

pytestmark = pytest.mark.django_db


def test_reminders_are_scheduled_at_the_kinds_default_offsets(place, member):
    starts = timezone.now() + dt.timedelta(days=3)
    rows = services.reminders_schedule_before(
        kind=UPCOMING, target=place, recipient=member, starts_at=starts
    )
    assert sorted(r.due_at for r in rows) == [
        starts - dt.timedelta(hours=24),
        starts - dt.timedelta(hours=2),
    ]


def test_a_persons_own_offsets_replace_the_defaults(place, member):
    services.notification_preference_update(
        user=member,
        disabled_kinds=[],
        offsets={UPCOMING: [60 * 48]},
        quiet_hours_start=None,
        quiet_hours_end=None,
    )
    assert offsets_for(recipient=member, kind_code=UPCOMING) == (dt.timedelta(hours=48),)
    starts = timezone.now() + dt.timedelta(days=3)
    rows = services.reminders_schedule_before(
        kind=UPCOMING, target=place, recipient=member, starts_at=starts
    )
    assert [r.due_at for r in rows] == [starts - dt.timedelta(hours=48)]


def test_offsets_already_past_are_skipped(place, member):
    starts = timezone.now() + dt.timedelta(hours=3)
    rows = services.reminders_schedule_before(
        kind=UPCOMING, target=place, recipient=member, starts_at=starts
    )
    assert [r.due_at for r in rows] == [starts - dt.timedelta(hours=2)]


def test_scheduling_is_idempotent(place, member):
    due = timezone.now() + dt.timedelta(hours=1)
    first = services.reminder_schedule(kind=NOTICE, target=place, recipient=member, due_at=due)
    second = services.reminder_schedule(kind=NOTICE, target=place, recipient=member, due_at=due)
    assert first.pk == second.pk and Reminder.objects.count() == 1


def test_cancelling_the_cause_cancels_only_its_pending_reminders(place, member, other_member):
    starts = timezone.now() + dt.timedelta(days=3)
    for person in (member, other_member):
        services.reminders_schedule_before(
            kind=UPCOMING, target=place, recipient=person, starts_at=starts
        )
    assert services.reminders_cancel_for(target=place, recipient=member) == 2
    statuses = dict(
        Reminder.objects.values_list("recipient_id", "status").distinct().order_by("recipient_id")
    )
    assert statuses == {
        member.pk: ReminderStatus.CANCELLED,
        other_member.pk: ReminderStatus.PENDING,
    }


def test_moving_the_cause_reschedules_its_reminders(place, member):
    starts = timezone.now() + dt.timedelta(days=3)
    services.reminders_schedule_before(
        kind=UPCOMING, target=place, recipient=member, starts_at=starts
    )
    moved = starts + dt.timedelta(days=1)
    services.reminders_reschedule_for(
        kind=UPCOMING, target=place, recipient=member, starts_at=moved
    )
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING).order_by("due_at")
    assert [r.due_at for r in pending] == [
        moved - dt.timedelta(hours=24),
        moved - dt.timedelta(hours=2),
    ]


def test_a_cancelled_reminder_scheduled_again_is_pending_again(place, member):
    due = timezone.now() + dt.timedelta(hours=5)
    services.reminder_schedule(kind=NOTICE, target=place, recipient=member, due_at=due)
    services.reminders_cancel_for(target=place)
    again = services.reminder_schedule(kind=NOTICE, target=place, recipient=member, due_at=due)
    assert again.status == ReminderStatus.PENDING


def test_notify_sends_at_once_through_the_outbox(
    place, member, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.notify(kind=NOTICE, target=place, recipient=member)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and len(mailbox) == 1


def test_unknown_kinds_fail_loudly(place, member):
    with pytest.raises(LookupError):
        services.notify(kind="no_such_kind", target=place, recipient=member)


def test_unsubscribing_switches_off_optional_kinds_only(member, test_kinds):
    services.notification_preference_unsubscribe(user=member)
    pref = NotificationPreference.objects.get(user=member)
    assert NOTICE in pref.disabled_kinds and UPCOMING in pref.disabled_kinds
    assert test_kinds.URGENT not in pref.disabled_kinds


def test_a_preference_update_cannot_switch_off_a_kind_that_is_not_optional(member, test_kinds):
    pref = services.notification_preference_update(
        user=member,
        disabled_kinds=[test_kinds.URGENT, NOTICE],
        offsets={},
        quiet_hours_start=None,
        quiet_hours_end=None,
    )
    assert pref.disabled_kinds == [NOTICE]


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet"),
    [
        (dt.time(22), dt.time(7), dt.time(23), True),
        (dt.time(22), dt.time(7), dt.time(6, 59), True),
        (dt.time(22), dt.time(7), dt.time(7), False),
        (dt.time(22), dt.time(7), dt.time(12), False),
        (dt.time(13), dt.time(14), dt.time(13, 30), True),
        (dt.time(13), dt.time(14), dt.time(14, 30), False),
    ],
)
def test_quiet_hours_may_cross_midnight(start, end, at, quiet):
    pref = NotificationPreference(quiet_hours_start=start, quiet_hours_end=end)
    local = dt.datetime.combine(dt.date(2026, 11, 22), at)
    assert in_quiet_hours(pref, local) is quiet


def test_the_end_of_quiet_hours_is_in_local_time_across_a_dst_change():
    tz = zoneinfo.ZoneInfo("America/New_York")
    pref = NotificationPreference(quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    # 23:30 local on the night clocks go back (1 November 2026).
    when = dt.datetime(2026, 10, 31, 23, 30, tzinfo=tz)
    end = quiet_hours_end_after(pref, when, tz)
    assert end.astimezone(tz).time() == dt.time(7)
    assert end.astimezone(tz).date() == dt.date(2026, 11, 1)
    utc = dt.UTC
    # Real elapsed time: one hour longer that night.
    assert end.astimezone(utc) - when.astimezone(utc) == dt.timedelta(hours=8, minutes=30)
    assert quiet_hours_end_after(pref, dt.datetime(2026, 11, 2, 12, tzinfo=tz), tz) is None


def test_the_saved_offsets_are_read_from_the_preference_models_table(member):
    from peerportal.reminders import preferences

    table = NotificationPreference._meta.db_table
    assert preferences._OFFSETS_SQL.startswith(f"SELECT offsets FROM {table} WHERE user_id = ")
    assert preferences._saved_offsets(member) == {}
    NotificationPreference.objects.create(user=member, offsets={UPCOMING: [30]})
    assert preferences._saved_offsets(member) == {UPCOMING: [30]}
    assert offsets_for(recipient=member, kind_code=UPCOMING) == (dt.timedelta(minutes=30),)

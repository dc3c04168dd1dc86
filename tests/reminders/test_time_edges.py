"""Quiet hours and due times at the edges of the clock: midnight, and both DST changes.

New York: clocks spring forward at 02:00 on 14 March 2027 (02:00–02:59 does not exist) and
fall back at 02:00 on 7 November 2027 (01:00–01:59 happens twice).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from peerportal.reminders import dispatch
from peerportal.reminders.models import NotificationPreference, Reminder, ReminderStatus
from peerportal.reminders.preferences import quiet_hours_end_after
from peerportal.reminders.sending import reminder_send
from tests.factories import UserFactory

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def _pref(start: dt.time, end: dt.time) -> NotificationPreference:
    return NotificationPreference(quiet_hours_start=start, quiet_hours_end=end)


def _utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


NIGHT = (dt.time(22), dt.time(7))


@pytest.mark.parametrize(
    ("when", "ends"),
    [
        # An ordinary night: 23:30 → 07:00 the next morning, 06:59 → 07:00 that morning.
        (_utc(2027, 6, 16, 3, 30), _utc(2027, 6, 16, 11)),
        (_utc(2027, 6, 16, 10, 59), _utc(2027, 6, 16, 11)),
        # Spring forward: 23:00 EST → 07:00 EDT is 7 real hours, not 8.
        (_utc(2027, 3, 14, 4), _utc(2027, 3, 14, 11)),
        # Fall back: 23:00 EDT → 07:00 EST is 9 real hours, not 8.
        (_utc(2027, 11, 7, 3), _utc(2027, 11, 7, 12)),
        # Inside the doubled hour, both times round: still 07:00 EST.
        (_utc(2027, 11, 7, 5, 30), _utc(2027, 11, 7, 12)),
        (_utc(2027, 11, 7, 6, 30), _utc(2027, 11, 7, 12)),
        # New Year's Eve, 23:30 local: quiet until 07:00 on 1 January.
        (_utc(2027, 1, 1, 4, 30), _utc(2027, 1, 1, 12)),
    ],
)
def test_quiet_hours_across_midnight_end_at_the_local_wall_time(when, ends):
    assert quiet_hours_end_after(_pref(*NIGHT), when, NY).astimezone(UTC) == ends


@pytest.mark.parametrize(
    "when",
    [_utc(2027, 6, 16, 11), _utc(2027, 6, 16, 1, 59), _utc(2027, 3, 14, 11, 1)],
)
def test_outside_quiet_hours_nothing_waits(when):
    assert quiet_hours_end_after(_pref(*NIGHT), when, NY) is None


def test_quiet_hours_that_end_in_the_skipped_hour_end_when_the_clock_resumes():
    """02:30 does not exist on 14 March: quiet hours 01:00–02:30 end at 03:30 EDT (07:30Z)."""
    pref = _pref(dt.time(1), dt.time(2, 30))
    ends = quiet_hours_end_after(pref, _utc(2027, 3, 14, 6, 15), NY)  # 01:15 EST
    # (An aware time in a gap or fold never compares equal across zones: compare in UTC.)
    assert ends.astimezone(UTC) == _utc(2027, 3, 14, 7, 30)
    assert timezone.localtime(ends.astimezone(UTC), NY).time() == dt.time(3, 30)


def test_quiet_hours_that_end_in_the_doubled_hour_end_at_its_first_pass():
    """01:30 happens twice on 7 November: quiet hours end at the first (EDT) one."""
    pref = _pref(dt.time(0), dt.time(1, 30))
    ends = quiet_hours_end_after(pref, _utc(2027, 11, 7, 4, 15), NY)  # 00:15 EDT
    assert ends.astimezone(UTC) == _utc(2027, 11, 7, 5, 30)


@pytest.mark.clock("2027-11-07T03:00:00Z")  # 23:00 EDT on the night the clocks fall back
def test_a_deferred_reminder_goes_out_once_after_quiet_hours_on_the_dst_night(
    place, mailbox, clock
):
    person = UserFactory(time_zone="America/New_York")
    NotificationPreference.objects.create(
        user=person, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7)
    )
    reminder = ReminderFactory(
        target=place,
        recipient=person,
        status=ReminderStatus.SENDING,
        claimed_at=timezone.now(),
    )
    assert reminder_send(reminder_id=reminder.pk) == "deferred"
    reminder.refresh_from_db()
    assert reminder.not_before == _utc(2027, 11, 7, 12)  # 07:00 EST
    clock.move_to(_utc(2027, 11, 7, 11, 59))
    assert dispatch.dispatch_due() == 0
    clock.move_to(_utc(2027, 11, 7, 12, 0, 1))
    assert dispatch.dispatch_due() == 1
    clock.move_to(_utc(2027, 11, 7, 12, 5))
    assert dispatch.dispatch_due() == 0
    assert len(mailbox) == 1


def test_reminders_due_in_the_doubled_hour_go_out_in_real_time_order_once_each(place, mailbox):
    """Two reminders both due at 01:30 local on 7 November: 05:30Z (EDT) and 06:30Z (EST)."""
    first = ReminderFactory(target=place, due_at=_utc(2027, 11, 7, 5, 30))
    second = ReminderFactory(target=place, due_at=_utc(2027, 11, 7, 6, 30))
    assert dispatch.dispatch_due(now=_utc(2027, 11, 7, 5, 45)) == 1
    assert Reminder.objects.get(pk=first.pk).status == ReminderStatus.SENT
    assert Reminder.objects.get(pk=second.pk).status == ReminderStatus.PENDING
    assert dispatch.dispatch_due(now=_utc(2027, 11, 7, 6, 45)) == 1
    assert dispatch.dispatch_due(now=_utc(2027, 11, 7, 7, 45)) == 0
    assert Reminder.objects.get(pk=second.pk).status == ReminderStatus.SENT
    assert len(mailbox) == 2


def test_a_reminder_due_in_the_skipped_hour_is_due_at_its_utc_instant(place, mailbox):
    """Due times are instants: 07:15Z is 03:15 EDT on 14 March, never 'missing'."""
    reminder = ReminderFactory(target=place, due_at=_utc(2027, 3, 14, 7, 15))
    assert dispatch.dispatch_due(now=_utc(2027, 3, 14, 7, 14)) == 0
    assert dispatch.dispatch_due(now=_utc(2027, 3, 14, 7, 16)) == 1
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT

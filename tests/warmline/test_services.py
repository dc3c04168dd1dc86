"""Services beyond the basics: qualification at the shift's time, ISO weeks in local time,
swaps end to end, coverage alerts once a day, reminders following assignments, demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerportal.reminders.models import Reminder, ReminderStatus
from peerportal.warmline import notifications, services
from peerportal.warmline.exceptions import (
    NotQualified,
    Overlap,
    SwapNotOpen,
    TooManyHours,
    WarmLineError,
)
from peerportal.warmline.models import ShiftAssignment, SwapRequest
from tests.certification.factories import grant_credential
from tests.factories import org_localdate

from .factories import ShiftFactory

pytestmark = pytest.mark.django_db


def _shift(line, start, hours=3, **kw):
    return ShiftFactory(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=hours), **kw)


def test_qualification_is_checked_at_the_time_of_the_shift(line, staff):
    expires = org_localdate() + dt.timedelta(days=10)
    grant_credential(staff, "warmline-training", expires=expires)
    soon = _shift(
        line, timezone.now() + dt.timedelta(days=3), required_qualification="warmline-training"
    )
    after_expiry = _shift(
        line, timezone.now() + dt.timedelta(days=20), required_qualification="warmline-training"
    )
    assert services.shift_sign_up(shift=soon, person=staff).is_active
    with pytest.raises(NotQualified) as refused:
        services.shift_sign_up(shift=after_expiry, person=staff)
    assert str(refused.value)  # a reason a person can read


def test_an_unqualified_person_is_accepted_once_granted_the_credential(line, staff):
    shift = _shift(line, timezone.now() + dt.timedelta(days=3), required_qualification="peer-cert")
    with pytest.raises(NotQualified):
        services.shift_sign_up(shift=shift, person=staff)
    assert not ShiftAssignment.objects.exists()
    grant_credential(staff, "peer-cert")
    assert services.shift_sign_up(shift=shift, person=staff).is_active


def test_the_weekly_limit_uses_the_local_iso_week(line, staff, new_york):
    line.max_hours_per_week = 4
    line.save()
    # Sunday 22:00 in New York is already Monday in UTC: it belongs to the week before.
    sunday = dt.datetime(2030, 1, 13, 21, tzinfo=new_york)
    monday = dt.datetime(2030, 1, 14, 9, tzinfo=new_york)
    services.shift_sign_up(shift=_shift(line, sunday, hours=2), person=staff)
    services.shift_sign_up(shift=_shift(line, monday, hours=4), person=staff)  # a new week
    with pytest.raises(TooManyHours):
        services.shift_sign_up(
            shift=_shift(line, monday + dt.timedelta(days=6, hours=12), hours=1), person=staff
        )  # Sunday 21:00 of the same week


def test_overlap_counts_shifts_on_other_lines_too(line, staff):
    from .factories import WarmLineFactory

    night = WarmLineFactory(members=[staff])
    start = timezone.now() + dt.timedelta(days=4)
    services.shift_sign_up(shift=_shift(line, start), person=staff)
    with pytest.raises(Overlap):
        services.shift_sign_up(shift=_shift(night, start + dt.timedelta(hours=1)), person=staff)


def test_sign_up_schedules_the_reminder_twelve_hours_before(line, staff):
    shift = _shift(line, timezone.now() + dt.timedelta(days=2))
    assignment = services.shift_sign_up(shift=shift, person=staff)
    reminder = Reminder.objects.get(kind="shift_upcoming", target_id=assignment.pk)
    assert reminder.recipient == staff
    assert reminder.due_at == shift.starts_at - dt.timedelta(hours=12)
    assert notifications.shift_upcoming_context(reminder)["line"] == line


def test_only_the_person_or_a_coordinator_releases(line, staff, other_staff, coordinator):
    assignment = services.shift_sign_up(
        shift=_shift(line, timezone.now() + dt.timedelta(hours=3)), person=staff
    )
    with pytest.raises(WarmLineError):
        services.shift_release(assignment=assignment, actor=other_staff)
    services.shift_release(assignment=assignment, actor=coordinator)  # past the cutoff: allowed
    assignment.refresh_from_db()
    assert not assignment.is_active


def test_a_swap_without_approval_completes_when_taken_and_tells_both(line, staff, other_staff):
    line.swaps_need_approval = False
    line.save()
    line.members.add(other_staff)
    shift = _shift(line, timezone.now() + dt.timedelta(days=3))
    assignment = services.shift_sign_up(shift=shift, person=staff)
    swap = services.swap_take(
        swap=services.swap_offer(assignment=assignment, actor=staff), taker=other_staff
    )
    assert swap.status == "approved"
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == other_staff
    told = set(Reminder.objects.filter(kind="swap_update").values_list("recipient", flat=True))
    assert told == {staff.pk, other_staff.pk}
    # The reminders moved with the shift: the old one cancelled, the taker's pending.
    assert Reminder.objects.get(kind="shift_upcoming", recipient=staff).status == (
        ReminderStatus.CANCELLED
    )
    assert Reminder.objects.get(kind="shift_upcoming", recipient=other_staff).status == (
        ReminderStatus.PENDING
    )


def test_a_taker_already_on_the_shift_or_busy_is_refused(line, staff, other_staff):
    line.members.add(other_staff)
    start = timezone.now() + dt.timedelta(days=3)
    shift = _shift(line, start)
    mine = services.shift_sign_up(shift=shift, person=staff)
    services.shift_sign_up(shift=shift, person=other_staff)
    swap = services.swap_offer(assignment=mine, actor=staff)
    with pytest.raises(WarmLineError):
        services.swap_take(swap=swap, taker=other_staff)
    assert SwapRequest.objects.get().status == "open"


def test_a_declined_swap_keeps_the_shift_and_tells_both(line, staff, other_staff, supervisor):
    line.members.add(other_staff)
    shift = _shift(line, timezone.now() + dt.timedelta(days=3))
    assignment = services.shift_sign_up(shift=shift, person=staff)
    swap = services.swap_take(
        swap=services.swap_offer(assignment=assignment, actor=staff), taker=other_staff
    )
    services.swap_decide(swap=swap, supervisor=supervisor, approve=False)
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == staff
    with pytest.raises(SwapNotOpen):
        services.swap_decide(swap=swap, supervisor=supervisor, approve=True)


def test_only_the_assigned_person_offers_and_withdraws(line, staff, other_staff):
    assignment = services.shift_sign_up(
        shift=_shift(line, timezone.now() + dt.timedelta(days=3)), person=staff
    )
    with pytest.raises(SwapNotOpen):
        services.swap_offer(assignment=assignment, actor=other_staff)
    swap = services.swap_offer(assignment=assignment, actor=staff)
    assert services.swap_offer(assignment=assignment, actor=staff) == swap  # one open offer
    with pytest.raises(SwapNotOpen):
        services.swap_cancel(swap=swap, actor=other_staff)
    assert services.swap_cancel(swap=swap, actor=staff).status == "cancelled"


def test_coverage_gap_alerts_respect_the_window_and_skip_covered_shifts(line, staff, coordinator):
    now = timezone.now()
    soon = _shift(line, now + dt.timedelta(days=1))
    still_short = _shift(line, now + dt.timedelta(days=2), min_staff=2)
    _shift(line, now + dt.timedelta(days=5))  # beyond the 3 days
    covered = _shift(line, now + dt.timedelta(days=1, hours=6), hours=1)
    services.shift_sign_up(shift=covered, person=staff)
    services.shift_sign_up(shift=still_short, person=staff)  # 1 of 2
    assert services.coverage_gaps_alert(now=now) == 2
    assert services.coverage_gaps_alert(now=now) == 2  # same day: no new rows
    alerts = Reminder.objects.filter(kind="coverage_gap", recipient=coordinator)
    assert sorted(alerts.values_list("target_id", flat=True)) == sorted([soon.pk, still_short.pk])
    alert = alerts.get(target_id=soon.pk)
    assert notifications.coverage_gap_context(alert)["needed"] == 1
    # Filled before it is sent: the alert is obsolete and will not go out.
    services.shift_sign_up(shift=soon, person=staff)
    assert notifications.coverage_gap_context(alert) is None
    # The next day: one new alert for the shift that is still short, none for the filled one.
    services.coverage_gaps_alert(now=now + dt.timedelta(days=1))
    assert alerts.count() == 3
    assert alerts.filter(target_id=still_short.pk).count() == 2


def test_the_daily_tasks_generate_and_alert(line):
    from peerportal.warmline import tasks
    from peerportal.warmline.models import ShiftPattern

    ShiftPattern.objects.create(
        line=line,
        rrule="FREQ=DAILY",
        first_date=org_localdate(),
        start_time=dt.time(10),
        end_time=dt.time(12),
        horizon_weeks=1,
    )
    made = tasks.shifts_generate_all()
    assert 6 <= made <= 8 and tasks.shifts_generate_all() == 0
    assert tasks.coverage_gaps() >= 1


def test_erasing_a_person_frees_their_future_shifts(line, staff):
    assignment = services.shift_sign_up(
        shift=_shift(line, timezone.now() + dt.timedelta(days=3)), person=staff
    )
    services.assignments_release_for_erased_user(staff)
    assignment.refresh_from_db()
    assert not assignment.is_active


def test_demo_seed_is_idempotent():
    from peerportal.core.demo import seed_core, seed_people
    from peerportal.warmline import demo
    from peerportal.warmline.models import CallRecord, Shift, WarmLine

    seed_core()
    people = seed_people()
    demo.seed(people=people, scale="small", stdout=None)
    counts = (WarmLine.objects.count(), Shift.objects.count(), CallRecord.objects.count())
    assert all(counts)
    demo.seed(people=people, scale="small", stdout=None)
    assert counts == (WarmLine.objects.count(), Shift.objects.count(), CallRecord.objects.count())


def test_demo_pages_render_for_every_staff_persona(client):
    from django.urls import reverse

    from peerportal.core.demo import seed_all
    from peerportal.warmline.models import CallRecord, ShiftAssignment

    people = seed_all(scale="small")
    assert ShiftAssignment.objects.filter(is_active=True).exists()  # demo sign-ups happened
    assert CallRecord.objects.count() >= 30
    pages = {
        "staff": [
            "warmline:board",
            "warmline:board-month",
            "warmline:my-shifts",
            "warmline:swap-list",
            "warmline:call-list",
            "warmline:call-create",
        ],
        "supervisor": ["warmline:board", "warmline:line-list", "reports:warmline:overview"],
        "coordinator": [
            "warmline:board",
            "warmline:line-list",
            "warmline:line-create",
            "reports:warmline:overview",
            "core:dashboard",
        ],
    }
    for persona, names in pages.items():
        client.force_login(people[persona])
        for name in names:
            assert client.get(reverse(name)).status_code == 200, (persona, name)

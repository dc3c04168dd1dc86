from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peerportal.certification import services as cert_services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import RecordStatus
from peerportal.core.models import Organization
from peerportal.warmline import services
from peerportal.warmline.exceptions import (
    EditWindowClosed,
    NotProgramMember,
    NotQualified,
    Overlap,
    ShiftFull,
    TooManyHours,
    WarmLineError,
)
from peerportal.warmline.models import CallRecord, Shift, ShiftAssignment, ShiftPattern, WarmLine
from tests.certification.factories import grant_credential
from tests.factories import StaffFactory, org_localdate

NY = zoneinfo.ZoneInfo("America/New_York")


def make_line(*members, max_hours=20):
    line = WarmLine.objects.create(
        name=f"Line {WarmLine.objects.count()}", max_hours_per_week=max_hours
    )
    line.members.add(*members)
    return line


def make_shift(line, start=None, hours=3, max_staff=2, qualification=""):
    start = start or timezone.now() + dt.timedelta(days=3)
    return Shift.objects.create(
        line=line,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        max_staff=max_staff,
        required_qualification=qualification,
    )


@pytest.mark.django_db
def test_a_shift_needing_a_qualification_refuses_then_accepts_once_certified(
    staff, coordinator, supervisor
):
    types = seed_credential_types()
    line = make_line(staff)
    shift = make_shift(line, qualification="warmline-training")
    with pytest.raises(NotQualified) as exc:
        services.shift_sign_up(shift=shift, person=staff)
    assert "Warm-line training" in str(exc.value)
    # Training is done, reviewed and the certification issued:
    record = cert_services.training_record_submit(
        person=staff,
        course="Warm-line basics",
        provider="Harbor",
        completed_on=org_localdate(),
        hours=16,
        is_initial_training=True,
    )
    cert_services.training_record_review(
        reviewer=supervisor, record=record, decision=RecordStatus.APPROVED
    )
    cert_services.certification_issue(
        actor=coordinator,
        holder=staff,
        credential_type=types["warmline-training"],
        issued_on=org_localdate(),
    )
    assert services.shift_sign_up(shift=shift, person=staff).is_active


@pytest.mark.django_db
def test_overlapping_shifts_are_refused(staff):
    line = make_line(staff)
    start = timezone.now() + dt.timedelta(days=2)
    services.shift_sign_up(shift=make_shift(line, start), person=staff)
    with pytest.raises(Overlap):
        services.shift_sign_up(shift=make_shift(line, start + dt.timedelta(hours=2)), person=staff)
    # Back to back is fine.
    services.shift_sign_up(shift=make_shift(line, start + dt.timedelta(hours=3)), person=staff)


@pytest.mark.django_db
def test_weekly_hours_limit_is_enforced_in_the_local_week(staff):
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    line = make_line(staff, max_hours=6)
    monday = dt.datetime(2030, 1, 7, 9, tzinfo=NY)  # a Monday, far ahead
    services.shift_sign_up(shift=make_shift(line, monday), person=staff)
    services.shift_sign_up(
        shift=make_shift(line, monday + dt.timedelta(days=1)), person=staff
    )  # 6 h: exactly the limit
    with pytest.raises(TooManyHours):
        services.shift_sign_up(
            shift=make_shift(line, monday + dt.timedelta(days=2), hours=1), person=staff
        )
    # Next week counts afresh.
    services.shift_sign_up(shift=make_shift(line, monday + dt.timedelta(days=7)), person=staff)


@pytest.mark.django_db
def test_only_program_members_sign_up_and_full_shifts_refuse(staff, other_staff):
    line = make_line(staff)
    shift = make_shift(line, max_staff=1)
    with pytest.raises(NotProgramMember):
        services.shift_sign_up(shift=shift, person=other_staff)
    services.shift_sign_up(shift=shift, person=staff)
    line.members.add(other_staff)
    with pytest.raises(ShiftFull):
        services.shift_sign_up(shift=shift, person=other_staff)


@pytest.mark.django_db
def test_release_before_the_cutoff_frees_the_slot_and_cancels_the_reminder(staff):
    from peerportal.reminders.models import Reminder, ReminderStatus

    line = make_line(staff)
    assignment = services.shift_sign_up(shift=make_shift(line), person=staff)
    assert Reminder.objects.filter(
        kind="shift_upcoming", target_id=assignment.pk, status=ReminderStatus.PENDING
    ).exists()
    services.shift_release(assignment=assignment, actor=staff)
    assert not Reminder.objects.filter(
        kind="shift_upcoming", status=ReminderStatus.PENDING
    ).exists()
    late = services.shift_sign_up(
        shift=make_shift(line, timezone.now() + dt.timedelta(hours=5)), person=staff
    )
    from peerportal.warmline.exceptions import ReleaseTooLate

    with pytest.raises(ReleaseTooLate):
        services.shift_release(assignment=late, actor=staff)


@pytest.mark.django_db
def test_shift_patterns_expand_dst_correct_and_idempotently():
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    line = make_line()
    pattern = ShiftPattern.objects.create(
        line=line,
        rrule="FREQ=DAILY",
        first_date=dt.date(2026, 10, 25),
        start_time=dt.time(22),
        end_time=dt.time(2),
        horizon_weeks=2,
    )
    now = dt.datetime(2026, 10, 26, tzinfo=dt.UTC)
    created = services.shifts_generate(pattern=pattern, now=now)
    assert (
        created == services.shifts_generate(pattern=pattern, now=now) + created
    )  # second run adds nothing
    assert {timezone.localtime(s.starts_at, NY).time() for s in line.shifts.all()} == {dt.time(22)}
    # The night of 31 Oct–1 Nov crosses the autumn change: 22:00 to 02:00 is five real hours.
    night = line.shifts.get(starts_at__date=dt.date(2026, 11, 1))
    assert night.ends_at - night.starts_at == dt.timedelta(hours=5)


def test_call_records_have_no_caller_identity_fields():
    """The exact field list: a new field (a caller name, a number, free-text notes) fails here."""
    names = {f.name for f in CallRecord._meta.get_fields()}
    assert names == {
        "id",
        "line",
        "shift",
        "author",
        "contact_type",
        "started_at",
        "duration_minutes",
        "topics",
        "referrals",
        "follow_up_offered",
        "created_at",
    }
    text_fields = [
        f.name
        for f in CallRecord._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField", "EmailField") and not f.choices
    ]
    assert text_fields == []  # no free text at all, only choices and numbers


@pytest.mark.django_db
def test_call_records_are_editable_by_their_author_only_for_a_short_window(staff, other_staff):
    line = make_line(staff)
    record = services.call_record_create(
        author=staff, line=line, contact_type="call", started_at=timezone.now(), duration_minutes=10
    )
    services.call_record_update(author=staff, record=record, duration_minutes=12)
    with pytest.raises(EditWindowClosed):
        services.call_record_update(author=other_staff, record=record, duration_minutes=1)
    with pytest.raises(EditWindowClosed):
        services.call_record_update(
            author=staff,
            record=record,
            duration_minutes=1,
            now=timezone.now() + dt.timedelta(hours=1),
        )


@pytest.mark.django_db
def test_warm_line_pages_say_it_is_not_a_crisis_service(staff_client, staff):
    make_line(staff)
    for name in (
        "warmline:board",
        "warmline:my-shifts",
        "warmline:call-list",
        "warmline:call-create",
    ):
        html = staff_client.get(reverse(name)).content.decode()
        assert "Not a crisis service." in html, name
        assert "988" in html


@pytest.mark.django_db
def test_staff_sign_up_from_the_board_and_members_cannot(staff_client, staff, member_client):
    shift = make_shift(make_line(staff))
    assert member_client.get(reverse("warmline:board")).status_code == 403
    response = staff_client.post(reverse("warmline:shift-sign-up", args=[shift.pk]))
    assert response.status_code == 302
    assert ShiftAssignment.objects.filter(shift=shift, person=staff, is_active=True).exists()
    board = staff_client.get(
        reverse("warmline:board"), {"week": org_localdate(shift.starts_at).isoformat()}
    )
    assert "You&#x27;re on it" in board.content.decode() or "You're on it" in board.content.decode()


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC), tick=False)
def test_staff_log_a_call_through_the_form(staff_client, staff):
    line = make_line(staff)
    response = staff_client.post(
        reverse("warmline:call-create"),
        {
            "line": line.pk,
            "contact_type": "text",
            "started_at": "2026-11-20T18:30",
            "duration_minutes": 15,
        },
    )
    assert response.status_code == 302
    assert CallRecord.objects.get().author == staff


@pytest.mark.django_db
def test_shift_feed_lists_my_shifts(client, staff):
    from peerportal.accounts.services import feed_token_for

    shift = make_shift(make_line(staff))
    services.shift_sign_up(shift=shift, person=staff)
    response = client.get(reverse("warmline:shift-feed", args=[feed_token_for(user=staff).token]))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_open_slot_cannot_be_taken_twice():
    people = StaffFactory.create_batch(12)
    line = make_line(*people)
    shift = make_shift(line, max_staff=1)
    barrier = threading.Barrier(len(people))
    results = []

    def take(person):
        try:
            barrier.wait(timeout=30)
            services.shift_sign_up(shift=shift, person=person)
            results.append("ok")
        except ShiftFull:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert ShiftAssignment.objects.filter(shift=shift, is_active=True).count() == 1
    assert results.count("ok") == 1 and results.count("full") == 11


@pytest.mark.django_db
def test_qualified_staff_helper_works_for_tests(staff):
    grant_credential(staff, "some-credential")
    from peerportal.certification.qualification import is_qualified

    assert is_qualified(person=staff, code="some-credential", at=timezone.now())


@pytest.mark.django_db
def test_swap_needs_a_qualified_taker_and_supervisor_approval(staff, other_staff, supervisor):
    from peerportal.reminders.models import Reminder
    from peerportal.warmline.models import SwapRequest

    line = make_line(staff, other_staff)
    shift = make_shift(line)
    assignment = services.shift_sign_up(shift=shift, person=staff)
    swap = services.swap_offer(assignment=assignment, actor=staff)
    swap = services.swap_take(swap=swap, taker=other_staff)
    assert swap.status == "taken"
    assert Reminder.objects.filter(kind="swap_update", recipient=supervisor).exists()
    with pytest.raises(WarmLineError):  # the taker cannot approve their own swap
        services.swap_decide(swap=swap, supervisor=other_staff, approve=True)
    services.swap_decide(swap=swap, supervisor=supervisor, approve=True)
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == other_staff
    assert SwapRequest.objects.get().status == "approved"


@pytest.mark.django_db
def test_swap_is_refused_when_the_taker_is_not_qualified(staff, other_staff):
    seed_credential_types()
    grant_credential(staff, "warmline-training")
    line = make_line(staff, other_staff)
    assignment = services.shift_sign_up(
        shift=make_shift(line, qualification="warmline-training"), person=staff
    )
    swap = services.swap_offer(assignment=assignment, actor=staff)
    with pytest.raises(NotQualified):
        services.swap_take(swap=swap, taker=other_staff)


@pytest.mark.django_db
def test_coverage_gaps_alert_coordinators_once_per_day(staff, coordinator):
    from peerportal.reminders.models import Reminder

    line = make_line(staff)
    make_shift(line, timezone.now() + dt.timedelta(days=1))
    assert services.coverage_gaps_alert() == 1
    services.coverage_gaps_alert()
    assert Reminder.objects.filter(kind="coverage_gap", recipient=coordinator).count() == 1


@pytest.mark.django_db
def test_warm_line_report_suppresses_small_counts(supervisor_client, staff, staff_client):
    line = make_line(staff)
    services.call_record_create(
        author=staff,
        line=line,
        contact_type="call",
        started_at=timezone.now() - dt.timedelta(hours=1),
        duration_minutes=5,
    )
    response = supervisor_client.get(reverse("reports:warmline:overview"))
    assert response.status_code == 200 and "&lt;5" in response.content.decode()
    assert staff_client.get(reverse("reports:warmline:overview")).status_code == 403
    assert b"<5" in supervisor_client.get(reverse("reports:warmline:overview-csv")).content

"""Every warm-line view, per persona: anonymous, member, staff in the program, staff outside
it, supervisor, coordinator."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerportal.accounts.services import feed_token_for
from peerportal.warmline import services
from peerportal.warmline.models import (
    CallRecord,
    Shift,
    ShiftAssignment,
    ShiftPattern,
    SwapRequest,
    WarmLine,
)
from tests.certification.factories import grant_credential
from tests.factories import org_localdate

from .factories import CallRecordFactory, ShiftFactory, WarmLineFactory

pytestmark = pytest.mark.django_db

NOT_CRISIS = "Not a crisis service."


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_board_shows_program_lines_to_staff_and_all_lines_to_supervisors(
    shift, staff_client, other_staff_client, supervisor_client, coordinator_client, member_client
):
    url = reverse("warmline:board")
    week = {"week": org_localdate(shift.starts_at).isoformat()}
    assert member_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    html = staff_client.get(url, week).content.decode()
    assert "Harbor Test Line" in html and NOT_CRISIS in html and 'role="note"' in html
    assert "notice-not-crisis" in html
    outsider = other_staff_client.get(url, week).content.decode()
    assert "Harbor Test Line" not in outsider and "not a member" in outsider
    for client in (supervisor_client, coordinator_client):
        assert "Harbor Test Line" in client.get(url, week).content.decode()
    assert (
        reverse("warmline:shift-assign", args=[shift.pk])
        in coordinator_client.get(url, week).content.decode()
    )
    assert (
        reverse("warmline:shift-assign", args=[shift.pk])
        not in staff_client.get(url, week).content.decode()
    )


def test_the_board_shows_coverage_and_filters_by_line(staff, staff_client, line):
    other = WarmLineFactory(name="Night Owl Line", members=[staff])
    start = timezone.now() + dt.timedelta(days=1)
    covered = ShiftFactory(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    ShiftAssignment.objects.create(shift=covered, person=staff, slot=1)
    ShiftFactory(line=other, starts_at=start, ends_at=start + dt.timedelta(hours=2), min_staff=2)
    week = org_localdate(start).isoformat()
    html = staff_client.get(reverse("warmline:board"), {"week": week}).content.decode()
    assert "covered" in html and "open" in html and "Night Owl Line" in html
    filtered = staff_client.get(
        reverse("warmline:board"), {"week": week, "line": line.pk}
    ).content.decode()
    assert "Night Owl Line</span>" not in filtered and "· Harbor Test Line" in filtered


def test_the_month_view_lists_shifts_per_day_per_persona(
    shift, staff_client, other_staff_client, coordinator_client, member_client
):
    url = reverse("warmline:board-month")
    month = {"month": org_localdate(shift.starts_at).strftime("%Y-%m")}
    detail = f"#shift-{shift.pk}"
    assert member_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    html = staff_client.get(url, month).content.decode()
    assert detail in html and "<caption>" in html and NOT_CRISIS in html
    assert detail not in other_staff_client.get(url, month).content.decode()
    assert detail in coordinator_client.get(url, month).content.decode()
    assert staff_client.get(url, {"month": "garbage"}).status_code == 200


def test_shift_roster_is_for_supervisors_and_coordinators(
    shift, staff, staff_client, member_client, supervisor_client, coordinator_client
):
    services.shift_sign_up(shift=shift, person=staff)
    url = reverse("warmline:shift-detail", args=[shift.pk])
    assert "Staff Willow" in supervisor_client.get(url).content.decode()
    assert "Staff Willow" in coordinator_client.get(url).content.decode()
    assert staff_client.get(url).status_code == 403
    assert member_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert supervisor_client.get(reverse("warmline:shift-detail", args=[987654])).status_code == 404


def test_staff_sign_up_by_plain_post_and_by_htmx(staff, staff_client, line):
    first, second = (
        ShiftFactory(line=line),
        ShiftFactory(line=line, starts_at=timezone.now() + dt.timedelta(days=5)),
    )
    response = staff_client.post(reverse("warmline:shift-sign-up", args=[first.pk]))
    assert response.status_code == 302
    assert ShiftAssignment.objects.filter(shift=first, person=staff, is_active=True).exists()
    fragment = staff_client.post(
        reverse("warmline:shift-sign-up", args=[second.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert f'id="shift-{second.pk}"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert ShiftAssignment.objects.filter(shift=second, person=staff, is_active=True).exists()


def test_sign_up_refusal_shows_the_reason(staff, staff_client, line):
    needy = ShiftFactory(line=line, required_qualification="warmline-training")
    response = staff_client.post(
        reverse("warmline:shift-sign-up", args=[needy.pk]), HTTP_HX_REQUEST="true"
    )
    assert "credential" in response.content.decode()
    assert not ShiftAssignment.objects.filter(shift=needy).exists()
    followed = staff_client.post(reverse("warmline:shift-sign-up", args=[needy.pk]), follow=True)
    assert "credential" in followed.content.decode()


def test_sign_up_is_hidden_from_outsiders_and_members(
    shift, other_staff_client, member_client, anonymous_client
):
    url = reverse("warmline:shift-sign-up", args=[shift.pk])
    assert other_staff_client.post(url).status_code == 404
    assert member_client.post(url).status_code == 403
    assert anonymous_client.post(url).status_code == 302
    assert not ShiftAssignment.objects.exists()


def test_coordinators_assign_program_members_and_others_cannot(
    shift, staff, coordinator_client, supervisor_client, staff_client
):
    url = reverse("warmline:shift-assign", args=[shift.pk])
    assert supervisor_client.get(url).status_code == 403
    assert staff_client.get(url).status_code == 403
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"person": staff.pk})
    assert response.status_code == 302
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == staff


def test_coordinators_remove_someone_from_a_shift(shift, staff, coordinator_client, staff_client):
    assignment = services.shift_sign_up(shift=shift, person=staff)
    url = reverse("warmline:assignment-remove", args=[assignment.pk])
    assert staff_client.post(url).status_code == 403
    assert coordinator_client.post(url).status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active


def test_coordinators_move_a_shift_and_the_reminder_follows(
    shift, staff, coordinator_client, supervisor_client, new_york
):
    from peerportal.reminders.models import Reminder, ReminderStatus

    assignment = services.shift_sign_up(shift=shift, person=staff)
    url = reverse("warmline:shift-edit", args=[shift.pk])
    assert supervisor_client.get(url).status_code == 403
    assert coordinator_client.get(url).status_code == 200
    new_start = timezone.localtime(shift.starts_at, new_york) + dt.timedelta(days=1)
    response = coordinator_client.post(
        url,
        {
            "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (new_start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    shift.refresh_from_db()
    pending = Reminder.objects.get(
        kind="shift_upcoming", target_id=assignment.pk, status=ReminderStatus.PENDING
    )
    assert pending.due_at == shift.starts_at - dt.timedelta(hours=12)
    assert shift.starts_at.replace(second=0, microsecond=0) == new_start.replace(
        second=0, microsecond=0
    )


def test_my_shifts_lists_mine_with_a_private_feed_link(
    shift, staff, staff_client, other_staff_client, member_client
):
    services.shift_sign_up(shift=shift, person=staff)
    html = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    assert "Harbor Test Line" in html and ".ics" in html and NOT_CRISIS in html
    assert (
        "Harbor Test Line"
        not in other_staff_client.get(reverse("warmline:my-shifts")).content.decode()
    )
    assert member_client.get(reverse("warmline:my-shifts")).status_code == 403


def test_staff_release_only_their_own_shift(shift, staff, staff_client, other_staff_client):
    assignment = services.shift_sign_up(shift=shift, person=staff)
    url = reverse("warmline:shift-release", args=[assignment.pk])
    assert other_staff_client.post(url).status_code == 404
    assert staff_client.post(url).status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active


def test_the_ical_feed_holds_only_the_token_owners_shifts(shift, staff, supervisor, line):
    services.shift_sign_up(shift=shift, person=staff)
    later = ShiftFactory(line=line, starts_at=timezone.now() + dt.timedelta(days=6))
    services.shift_sign_up(shift=later, person=supervisor)
    response = Client().get(reverse("warmline:shift-feed", args=[feed_token_for(user=staff).token]))
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f"warmline-shift-{shift.pk}@" in body and f"warmline-shift-{later.pk}@" not in body
    assert "Staff Willow" not in body
    assert Client().get(reverse("warmline:shift-feed", args=["nope"])).status_code == 404


def test_the_feed_of_a_member_is_not_found(member):
    token = feed_token_for(user=member).token
    assert Client().get(reverse("warmline:shift-feed", args=[token])).status_code == 404


def test_swap_pages_per_persona(
    shift,
    staff,
    supervisor,
    coordinator,
    staff_client,
    other_staff,
    other_staff_client,
    supervisor_client,
    member_client,
    line,
):
    line.members.add(other_staff)
    assignment = services.shift_sign_up(shift=shift, person=staff)
    assert (
        staff_client.post(reverse("warmline:swap-offer", args=[assignment.pk])).status_code == 302
    )
    swap = SwapRequest.objects.get()
    assert member_client.get(reverse("warmline:swap-list")).status_code == 403
    assert (
        "Take this shift" in other_staff_client.get(reverse("warmline:swap-list")).content.decode()
    )
    assert other_staff_client.post(reverse("warmline:swap-take", args=[swap.pk])).status_code == 302
    swap.refresh_from_db()
    assert swap.status == "taken" and swap.taker == other_staff
    # The taker cannot decide (not a supervisor); the supervisor sees Approve.
    assert (
        other_staff_client.post(reverse("warmline:swap-decide", args=[swap.pk])).status_code == 403
    )
    assert "Approve" in supervisor_client.get(reverse("warmline:swap-list")).content.decode()
    supervisor_client.post(reverse("warmline:swap-decide", args=[swap.pk]), {"approve": "1"})
    swap.refresh_from_db()
    assert swap.status == "approved"
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == other_staff


def test_swaps_on_other_programs_are_invisible(shift, staff, other_staff_client):
    assignment = services.shift_sign_up(shift=shift, person=staff)
    swap = services.swap_offer(assignment=assignment, actor=staff)
    assert (
        "Harbor Test Line"
        not in other_staff_client.get(reverse("warmline:swap-list")).content.decode()
    )
    assert other_staff_client.post(reverse("warmline:swap-take", args=[swap.pk])).status_code == 404


def test_the_offering_person_withdraws_a_swap(
    line, shift, staff, other_staff, staff_client, other_staff_client
):
    line.members.add(other_staff)
    assignment = services.shift_sign_up(shift=shift, person=staff)
    swap = services.swap_offer(assignment=assignment, actor=staff)
    url = reverse("warmline:swap-offer", args=[assignment.pk])
    assert other_staff_client.post(url, {"withdraw": "1"}).status_code == 404
    swap.refresh_from_db()
    assert swap.status == "open"  # only the offering person withdraws
    assert "Withdraw" in staff_client.get(reverse("warmline:swap-list")).content.decode()
    assert staff_client.post(url, {"withdraw": "1"}).status_code == 302
    swap.refresh_from_db()
    assert swap.status == "cancelled"
    assert ShiftAssignment.objects.get(shift=shift, is_active=True).person == staff


def test_call_log_per_persona(
    line, staff, other_staff, staff_client, supervisor_client, member_client
):
    mine = CallRecordFactory(line=line, author=staff, duration_minutes=17)
    other_line = WarmLineFactory(members=[other_staff])
    theirs = CallRecordFactory(line=other_line, author=other_staff, duration_minutes=43)
    url = reverse("warmline:call-list")
    assert member_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    html = staff_client.get(url).content.decode()
    assert ">17<" in html and ">43<" not in html and NOT_CRISIS in html
    sup = supervisor_client.get(url).content.decode()
    assert ">17<" in sup and ">43<" in sup
    assert mine.pk != theirs.pk


@time_machine.travel(dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC), tick=False)
def test_staff_log_a_contact_only_on_their_program_lines(
    line, staff_client, other_staff_client, member_client
):
    data = {
        "line": line.pk,
        "contact_type": "chat",
        "started_at": "2026-11-20T18:30",
        "duration_minutes": 15,
        "follow_up_offered": "on",
    }
    assert member_client.get(reverse("warmline:call-create")).status_code == 403
    html = staff_client.get(reverse("warmline:call-create")).content.decode()
    assert NOT_CRISIS in html and "caller" in html.lower()
    assert other_staff_client.post(reverse("warmline:call-create"), data).status_code == 200
    assert not CallRecord.objects.exists()
    assert staff_client.post(reverse("warmline:call-create"), data).status_code == 302
    record = CallRecord.objects.get()
    assert record.contact_type == "chat" and record.follow_up_offered


@time_machine.travel(dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC), tick=False)
def test_call_edit_is_for_the_author_within_the_window_then_forbidden(
    line, staff, staff_client, other_staff_client, supervisor_client
):
    record = services.call_record_create(
        author=staff, line=line, contact_type="call", started_at=timezone.now(), duration_minutes=9
    )
    url = reverse("warmline:call-edit", args=[record.pk])
    assert other_staff_client.get(url).status_code == 404
    assert supervisor_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 200
    data = {
        "line": line.pk,
        "contact_type": "call",
        "started_at": "2026-11-20T18:30",
        "duration_minutes": 11,
    }
    assert staff_client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.duration_minutes == 11
    CallRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=31)
    )
    assert staff_client.get(url).status_code == 403
    data["duration_minutes"] = 99
    assert staff_client.post(url, data).status_code == 403
    record.refresh_from_db()
    assert record.duration_minutes == 11


def test_line_pages_per_persona(
    line, staff, coordinator_client, supervisor_client, staff_client, member_client
):
    assert staff_client.get(reverse("warmline:line-list")).status_code == 403
    assert member_client.get(reverse("warmline:line-list")).status_code == 403
    assert (
        "Harbor Test Line" in supervisor_client.get(reverse("warmline:line-list")).content.decode()
    )
    assert supervisor_client.get(reverse("warmline:line-create")).status_code == 403
    assert supervisor_client.get(reverse("warmline:line-edit", args=[line.pk])).status_code == 403
    response = coordinator_client.post(
        reverse("warmline:line-create"),
        {
            "name": "Evening Peer Line",
            "phone": "555-0142",
            "hours_of_operation": "Daily 18–23",
            "has_phone": "on",
            "has_chat": "on",
            "max_hours_per_week": 16,
            "release_cutoff_hours": 48,
            "gap_alert_days": 3,
            "members": [staff.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new = WarmLine.objects.get(name="Evening Peer Line")
    assert new.has_chat and not new.has_text and list(new.members.all()) == [staff]
    assert coordinator_client.get(reverse("warmline:line-edit", args=[line.pk])).status_code == 200


def test_pattern_form_offers_credentials_and_creates_shifts(
    line, coordinator_client, supervisor_client
):
    grant_credential(line.members.first(), "warmline-training")
    url = reverse("warmline:pattern-create", args=[line.pk])
    assert supervisor_client.get(url).status_code == 403
    form_html = coordinator_client.get(url).content.decode()
    assert 'value="warmline-training"' in form_html
    data = {
        "rrule": "FREQ=WEEKLY;BYDAY=SA,SU",
        "first_date": org_localdate().isoformat(),
        "start_time": "22:00",
        "end_time": "02:00",
        "min_staff": 1,
        "max_staff": 2,
        "required_qualification": "no-such-credential",
        "horizon_weeks": 4,
        "is_active": "on",
    }
    assert coordinator_client.post(url, data).status_code == 200  # not a known credential
    data["required_qualification"] = "warmline-training"
    assert coordinator_client.post(url, data).status_code == 302
    pattern = ShiftPattern.objects.get()
    shifts = Shift.objects.filter(pattern=pattern)
    assert 7 <= shifts.count() <= 10
    assert {s.required_qualification for s in shifts} == {"warmline-training"}
    assert all(s.ends_at - s.starts_at >= dt.timedelta(hours=3) for s in shifts)  # overnight
    edit = reverse("warmline:pattern-edit", args=[pattern.pk])
    data["max_staff"] = 3
    assert coordinator_client.post(edit, data).status_code == 302
    assert set(shifts.values_list("max_staff", flat=True)) == {3}
    assert supervisor_client.get(edit).status_code == 403


def test_dashboard_panels_for_staff_and_coordinators(
    shift, staff, staff_client, coordinator_client
):
    services.shift_sign_up(shift=shift, person=staff)
    short = ShiftFactory(
        line=shift.line, starts_at=timezone.now() + dt.timedelta(days=2), min_staff=2
    )
    staff_html = staff_client.get(reverse("core:dashboard")).content.decode()
    assert "My next warm-line shifts" in staff_html
    assert f"#shift-{shift.pk}" in staff_html
    assert "short of staff" not in staff_html
    coord_html = coordinator_client.get(reverse("core:dashboard")).content.decode()
    assert "short of staff" in coord_html
    assert reverse("warmline:shift-detail", args=[short.pk]) in coord_html


@pytest.mark.parametrize(
    "name",
    [
        "warmline:board",
        "warmline:board-month",
        "warmline:my-shifts",
        "warmline:swap-list",
        "warmline:call-list",
        "warmline:call-create",
        "warmline:line-list",
        "warmline:line-create",
    ],
)
def test_every_warm_line_page_says_it_is_not_a_crisis_service(name, coordinator_client):
    html = coordinator_client.get(reverse(name)).content.decode()
    assert 'class="alert alert-light notice-not-crisis" role="note"' in html
    assert NOT_CRISIS in html and "988" in html


def test_the_not_a_crisis_notice_is_in_spanish_on_spanish_pages(staff, staff_client, line):
    staff.preferred_language = "es"
    staff.save()
    html = staff_client.get(reverse("warmline:board"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No es un servicio de crisis." in html
    assert "no un servicio de crisis" in html  # the organization's default notice, translated
    assert "not a crisis service" not in html


def test_an_organizations_own_notice_is_shown_as_written(staff_client, line):
    from peerportal.core.models import Organization

    org = Organization.get()
    org.warm_line_notice = "Invented notice: this line is for talking, not for emergencies."
    org.save()
    html = staff_client.get(reverse("warmline:board")).content.decode()
    assert "Invented notice: this line is for talking" in html

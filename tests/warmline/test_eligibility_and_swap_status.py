"""Field report §3/§4 (warm line): eligibility shown before clicking, with the same reasons
the service gives; the weekly maximum names the limit and the current total; hours this
week; credential names instead of codes; "places filled"; swap status on My shifts; decided
swaps stay visible; a locked call record says it is locked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerportal.warmline import services
from peerportal.warmline.exceptions import TooManyHours, WarmLineError
from peerportal.warmline.models import CallRecord
from tests.certification.factories import CredentialTypeFactory, grant_credential

from .factories import WarmLineFactory
from .march_2026 import NOW, WEEK, shift_on
from .march_2026 import pinned as pinned_march

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned(new_york):
    with pinned_march():
        yield


@pytest.fixture
def busy_line(staff, other_staff, supervisor):
    return WarmLineFactory(
        name="Evening Line", members=[staff, other_staff, supervisor], max_hours_per_week=20
    )


def board(client):
    return client.get(reverse("warmline:board") + f"?week={WEEK}")


def test_weekly_maximum_states_the_limit_and_the_current_total(staff, busy_line):
    services.shift_sign_up(shift=shift_on(busy_line, 12, 8, 9), person=staff)
    services.shift_sign_up(shift=shift_on(busy_line, 13, 8, 9), person=staff)
    with pytest.raises(TooManyHours) as refused:
        services.shift_sign_up(shift=shift_on(busy_line, 14, 8, 3), person=staff)
    assert str(refused.value) == (
        "This shift would take you over the maximum of 20 h a week; you have 18 h that week."
    )


def test_board_disables_sign_up_with_the_services_reason_and_shows_hours(
    staff, staff_client, busy_line
):
    services.shift_sign_up(shift=shift_on(busy_line, 12, 8, 9), person=staff)
    services.shift_sign_up(shift=shift_on(busy_line, 13, 8, 9), person=staff)
    too_long = shift_on(busy_line, 14, 8, 3)
    fits = shift_on(busy_line, 16, 8, 2)  # the next week: 0 h there
    response = board(staff_client)
    html = response.content.decode()
    assert "Your hours in the week of 9 March: 18 h." in html
    assert "Evening Line: at most 20 h a week." in html
    row = html[html.index(f'id="shift-{too_long.pk}"') :]
    row = row[: row.index("</li>")]
    assert "disabled" in row and "hx-post" not in row
    assert "over the maximum of 20 h a week; you have 18 h that week" in row
    # The reason on the board is the one the service gives when the POST is tried anyway.
    with pytest.raises(WarmLineError) as refused:
        services.shift_sign_up(shift=too_long, person=staff)
    assert str(refused.value) in row
    next_week = staff_client.get(reverse("warmline:board") + "?week=2026-03-16").content.decode()
    fits_row = next_week[next_week.index(f'id="shift-{fits.pk}"') :]
    assert "hx-post" in fits_row[: fits_row.index("</li>")]


def test_board_names_the_credential_and_says_why_not_qualified(staff, staff_client, busy_line):
    CredentialTypeFactory(code="warmline-training", name="Warm-line training")
    needs = shift_on(busy_line, 14, 18, 3, required_qualification="warmline-training")
    html = board(staff_client).content.decode()
    assert "needs the Warm-line training credential" in html
    assert "needs a credential: warmline-training" not in html
    row = html[html.index(f'id="shift-{needs.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Needs the “Warm-line training” credential." in row and "disabled" in row

    grant_credential(staff, "warmline-training")
    row = board(staff_client).content.decode()
    row = row[row.index(f'id="shift-{needs.pk}"') :]
    assert "hx-post" in row[: row.index("</li>")]


def test_board_says_places_filled_and_refuses_overlaps(staff, other_staff, staff_client, busy_line):
    mine = shift_on(busy_line, 14, 18, 3)
    services.shift_sign_up(shift=mine, person=staff)
    other_line = WarmLineFactory(name="Harbor Line", members=[staff, other_staff])
    clash = shift_on(other_line, 14, 19, 2)
    services.shift_sign_up(shift=clash, person=other_staff)
    html = board(staff_client).content.decode()
    assert "1 of 2 places filled" in html
    row = html[html.index(f'id="shift-{clash.pk}"') :]
    assert "already on a shift at that time" in row[: row.index("</li>")]


def test_not_a_program_member_sees_why_on_the_swap_list(
    staff, other_staff, other_staff_client, busy_line
):
    closed = WarmLineFactory(name="Closed Line", members=[staff])
    assignment = services.shift_sign_up(shift=shift_on(closed, 14, 18, 3), person=staff)
    services.swap_offer(assignment=assignment, actor=staff)
    # other_staff does not see the closed line at all (programs), so use a shared one:
    shared = services.shift_sign_up(shift=shift_on(busy_line, 15, 18, 3), person=staff)
    services.shift_sign_up(shift=shift_on(busy_line, 15, 19, 2), person=other_staff)
    swap = services.swap_offer(assignment=shared, actor=staff)
    html = other_staff_client.get(reverse("warmline:swap-list")).content.decode()
    assert f'aria-describedby="swap-{swap.pk}-why"' in html
    assert "You can't take this shift: You are already on a shift at that time." in html
    assert reverse("warmline:swap-take", args=[swap.pk]) not in html


def test_eligible_colleague_gets_the_take_button(staff, other_staff, other_staff_client, busy_line):
    swap = services.swap_offer(
        assignment=services.shift_sign_up(shift=shift_on(busy_line, 15, 18, 3), person=staff),
        actor=staff,
    )
    html = other_staff_client.get(reverse("warmline:swap-list")).content.decode()
    assert reverse("warmline:swap-take", args=[swap.pk]) in html


def test_my_shifts_shows_cover_status_and_hours(staff, other_staff, staff_client, busy_line):
    busy_line.swaps_need_approval = True
    busy_line.save()
    offered = services.shift_sign_up(shift=shift_on(busy_line, 12, 18, 3), person=staff)
    taken = services.shift_sign_up(shift=shift_on(busy_line, 13, 18, 3), person=staff)
    services.shift_sign_up(shift=shift_on(busy_line, 17, 18, 4), person=staff)
    services.swap_offer(assignment=offered, actor=staff)
    services.swap_take(swap=services.swap_offer(assignment=taken, actor=staff), taker=other_staff)
    html = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    assert "Offered for cover" in html
    assert "Taken by Staff Aspen, waiting for approval" in html
    assert "Withdraw the offer" in html
    assert "Your hours this week: 6 h; next week: 4 h." in html


def test_decided_swaps_stay_visible_to_those_concerned(
    staff, other_staff, supervisor, staff_client, supervisor_client, busy_line, coordinator_client
):
    busy_line.swaps_need_approval = True
    busy_line.save()
    assignment = services.shift_sign_up(shift=shift_on(busy_line, 14, 18, 3), person=staff)
    swap = services.swap_take(
        swap=services.swap_offer(assignment=assignment, actor=staff), taker=other_staff
    )
    services.swap_decide(swap=swap, supervisor=supervisor, approve=False)
    for client in (staff_client, supervisor_client, coordinator_client):
        html = client.get(reverse("warmline:swap-list")).content.decode()
        history = html[html.index("Decided swaps") :]
        assert "declined" in history and "decided by Supervisor Cedar" in history
    assert (
        "decided by Supervisor Cedar"
        in staff_client.get(reverse("warmline:my-shifts")).content.decode()
    )


def test_decided_swaps_are_not_shown_to_uninvolved_colleagues(
    staff, other_staff, supervisor, busy_line
):
    from peerportal.warmline.selectors import swap_history_for
    from tests.factories import StaffFactory

    assignment = services.shift_sign_up(shift=shift_on(busy_line, 14, 18, 3), person=staff)
    swap = services.swap_offer(assignment=assignment, actor=staff)
    services.swap_cancel(swap=swap, actor=staff)
    bystander = StaffFactory()
    busy_line.members.add(bystander)
    assert [row["pk"] for row in swap_history_for(bystander)] == []
    assert [row["pk"] for row in swap_history_for(staff)] == [swap.pk]
    assert [row["pk"] for row in swap_history_for(supervisor)] == [swap.pk]  # staff's supervisor


def test_a_locked_call_record_says_locked_not_role(staff, staff_client, busy_line):
    record = services.call_record_create(
        author=staff, line=busy_line, contact_type="call", started_at=NOW, duration_minutes=9
    )
    CallRecord.objects.filter(pk=record.pk).update(created_at=NOW - dt.timedelta(minutes=31))
    url = reverse("warmline:call-edit", args=[record.pk])
    for response in (
        staff_client.get(url),
        staff_client.post(url, {"line": busy_line.pk, "duration_minutes": 50}),
    ):
        html = response.content.decode()
        assert response.status_code == 403
        assert "This contact record is locked" in html
        assert "corrected for 30 minutes after they are written" in html
        assert "Your role does not include this page" not in html
    record.refresh_from_db()
    assert record.duration_minutes == 9


def test_supervisor_pages_name_the_credential_and_say_why(
    supervisor_client, coordinator_client, busy_line
):
    from peerportal.warmline.models import ShiftPattern

    CredentialTypeFactory(code="warmline-training", name="Warm-line training")
    needs = shift_on(busy_line, 14, 18, 3, required_qualification="warmline-training")
    html = supervisor_client.get(reverse("warmline:shift-detail", args=[needs.pk])).content.decode()
    assert "Needs the credential: Warm-line training" in html
    assert "You can't take this shift: Needs the “Warm-line training” credential." in html
    assert reverse("warmline:shift-sign-up", args=[needs.pk]) not in html
    ShiftPattern.objects.create(
        line=busy_line,
        rrule="FREQ=WEEKLY",
        first_date=dt.date(2026, 3, 9),
        start_time=dt.time(18),
        end_time=dt.time(21),
        required_qualification="warmline-training",
    )
    lines = coordinator_client.get(reverse("warmline:line-list")).content.decode()
    assert "<td>Warm-line training</td>" in lines

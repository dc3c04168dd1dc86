"""My shifts' rows and the decided swaps as plain statements (selectors.my_shift_rows,
selectors.swap_history_for): the same rows, times and scope the ORM gave, on both
databases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerportal.warmline import selectors, services
from peerportal.warmline.models import Shift, ShiftAssignment, SwapRequest
from tests.factories import StaffFactory

from .factories import WarmLineFactory
from .march_2026 import NOW, at, shift_on
from .march_2026 import pinned as pinned_march

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned(new_york):
    with pinned_march():
        yield


def test_my_shifts_counts_this_weeks_past_shifts_and_lists_the_coming_ones(staff, staff_client):
    line = WarmLineFactory(name="Harbor Line", members=[staff], max_hours_per_week=30)
    gone = WarmLineFactory(name="Gone Line", members=[staff])
    last_week = shift_on(line, 8, 8, 5)  # Sunday: the week before
    monday = shift_on(line, 9, 8, 2)  # this week, already over
    tuesday = shift_on(gone, 10, 8, 3)  # this week, on a line staff has since left
    friday = shift_on(line, 13, 18, 4)
    next_week = shift_on(line, 17, 18, 1)
    for shift in (last_week, monday, tuesday, friday, next_week):
        ShiftAssignment.objects.create(shift=shift, person=staff)
    gone.members.remove(staff)
    html = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    assert "Your hours this week: 9 h; next week: 1 h." in html
    listed = [f"#shift-{s.pk}" in html for s in (last_week, monday, tuesday, friday, next_week)]
    assert listed == [False, False, False, True, True]
    assert html.index(f"#shift-{friday.pk}") < html.index(f"#shift-{next_week.pk}")
    assert "Fri 13 Mar, 18:00–22:00" in html  # local time


def test_my_shift_rows_are_the_orms_rows(staff, other_staff):
    line = WarmLineFactory(name="<b>Harbor</b>", members=[staff, other_staff])
    line.swaps_need_approval = True
    line.save()
    plain = services.shift_sign_up(shift=shift_on(line, 12, 8, 2), person=staff)
    offered = services.shift_sign_up(shift=shift_on(line, 13, 8, 2), person=staff)
    taken = services.shift_sign_up(shift=shift_on(line, 14, 8, 2), person=staff)
    declined = services.shift_sign_up(shift=shift_on(line, 15, 8, 2), person=staff)
    released = services.shift_sign_up(shift=shift_on(line, 16, 8, 2), person=staff)
    services.shift_release(assignment=released, actor=staff)
    services.swap_offer(assignment=offered, actor=staff)
    services.swap_take(swap=services.swap_offer(assignment=taken, actor=staff), taker=other_staff)
    swap = services.swap_offer(assignment=declined, actor=staff)
    services.swap_cancel(swap=swap, actor=staff)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.my_shift_rows(staff, since=at(9, 0))
    assert len(queries) == 1
    expected = []
    for assignment, status, taker in (
        (plain, None, None),
        (offered, "open", None),
        (taken, "taken", "Staff Aspen"),
        (declined, None, None),
    ):
        shift = Shift.objects.get(pk=assignment.shift_id)
        expected.append(
            {
                "pk": assignment.pk,
                "shift_id": shift.pk,
                "starts_at": shift.starts_at,
                "ends_at": shift.ends_at,
                "line": "<b>Harbor</b>",
                "swap_status": status,
                "swap_taker": taker,
            }
        )
    assert rows == expected
    assert all(row["starts_at"].utcoffset() == dt.timedelta(0) for row in rows)
    assert selectors.my_shift_rows(staff, since=at(14, 11)) == expected[3:]
    assert selectors.my_shift_rows(other_staff, since=at(9, 0)) == []


def _decided(offerer, taker, decider, line, day, *, approve=True, days_ago=1):
    assignment = services.shift_sign_up(shift=shift_on(line, day, 8, 2), person=offerer)
    swap = services.swap_take(
        swap=services.swap_offer(assignment=assignment, actor=offerer), taker=taker
    )
    services.swap_decide(swap=swap, supervisor=decider, approve=approve)
    SwapRequest.objects.filter(pk=swap.pk).update(created_at=NOW - dt.timedelta(days=days_ago))
    return swap


def test_swap_history_rows_scope_order_and_window(
    staff, other_staff, supervisor, coordinator, new_york
):
    line = WarmLineFactory(name="Night & Day", swaps_need_approval=True)
    line.members.add(staff, other_staff, supervisor)
    teammate = StaffFactory(display_name="<i>Teammate</i>", supervisor=supervisor)
    stranger = StaffFactory(display_name="Stranger")
    line.members.add(teammate, stranger)
    older = _decided(staff, other_staff, coordinator, line, 12, approve=False, days_ago=5)
    newer = _decided(teammate, stranger, coordinator, line, 13, days_ago=2)
    _decided(stranger, other_staff, coordinator, line, 14, days_ago=61)  # past the window
    with CaptureQueriesContext(connection) as queries:
        coordinator_rows = selectors.swap_history_for(coordinator)
    assert len(queries) == 1
    assert [row["pk"] for row in coordinator_rows] == [newer.pk, older.pk]
    assert coordinator_rows[0] == {
        "pk": newer.pk,
        "status": "approved",
        "starts_at": at(13, 8),
        "ends_at": at(13, 10),
        "line": "Night & Day",
        "person": "<i>Teammate</i>",
        "taker_id": stranger.pk,
        "taker": "Stranger",
        "decided_by_id": coordinator.pk,
        "decided_by": "Coordinator Oak",
    }
    # Offered, taken, supervised (the offerer's supervisor) or nothing to do with it.
    assert [row["pk"] for row in selectors.swap_history_for(staff)] == [older.pk]
    assert [row["pk"] for row in selectors.swap_history_for(other_staff)] == [older.pk]
    assert [row["pk"] for row in selectors.swap_history_for(supervisor)] == [newer.pk, older.pk]
    assert [row["pk"] for row in selectors.swap_history_for(stranger)] == [newer.pk]
    assert [row["pk"] for row in selectors.swap_history_for(coordinator, limit=1)] == [newer.pk]


def test_the_decided_swaps_list_escapes_names_and_says_who_covered(
    supervisor, supervisor_client, coordinator
):
    line = WarmLineFactory(name="Night & Day", swaps_need_approval=True)
    teammate = StaffFactory(display_name="<i>Teammate</i>", supervisor=supervisor)
    helper = StaffFactory(display_name="Helper & Co")
    line.members.add(teammate, helper, supervisor)
    _decided(teammate, helper, coordinator, line, 13)
    html = supervisor_client.get(reverse("warmline:swap-list")).content.decode()
    history = html[html.index("Decided swaps") :]
    assert "Fri 13 Mar, 08:00–10:00 · Night &amp; Day · offered by &lt;i&gt;Teammate&lt;/i&gt;" in (
        history
    )
    assert "covered by Helper &amp; Co" in history and "(decided by Coordinator Oak)" in history


def test_my_shifts_rows_escape_and_offer_the_right_forms(staff, other_staff, staff_client):
    line = WarmLineFactory(name="<b>Bay</b> & Cove", members=[staff, other_staff])
    line.swaps_need_approval = True
    line.save()
    other_staff.display_name = "Aspen <i>&</i>"
    other_staff.save()
    plain = services.shift_sign_up(shift=shift_on(line, 12, 18, 3), person=staff)
    taken = services.shift_sign_up(shift=shift_on(line, 13, 8, 2), person=staff)
    services.swap_take(swap=services.swap_offer(assignment=taken, actor=staff), taker=other_staff)
    html = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    board = reverse("warmline:board")
    offer = reverse("warmline:swap-offer", args=[plain.pk])
    release = reverse("warmline:shift-release", args=[plain.pk])
    row = html[html.index(f'<a href="{board}?week=2026-03-12#shift-{plain.shift_id}">') :]
    row = row[: row.index("</li>")]
    assert row.startswith(
        f'<a href="{board}?week=2026-03-12#shift-{plain.shift_id}">Thu 12 Mar, 18:00–21:00</a>'
        " · &lt;b&gt;Bay&lt;/b&gt; &amp; Cove\n    </span>\n"
        f'    <span><form class="d-inline" method="post" action="{offer}">'
        '<input type="hidden" name="csrfmiddlewaretoken"'
    )
    assert ">Ask for cover</button></form>" in row and 'name="withdraw"' not in row
    assert f'<form class="d-inline" method="post" action="{release}" data-confirm=' in row
    taken_row = html[html.index(f"#shift-{taken.shift_id}") :]
    taken_row = taken_row[: taken_row.index("</li>")]
    assert "Taken by Aspen &lt;i&gt;&amp;&lt;/i&gt;, waiting for approval" in taken_row
    assert 'name="withdraw" value="1"' in taken_row and "Withdraw the offer" in taken_row
    staff.preferred_language = "es"
    staff.save()
    spanish = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    assert "Pedir que le cubran" in spanish and 'data-confirm="¿Liberar este turno?"' in spanish


def test_my_shifts_without_upcoming_shifts_says_so(staff_client):
    html = staff_client.get(reverse("warmline:my-shifts")).content.decode()
    board = reverse("warmline:board")
    assert (
        '<ul class="list-group"><li class="list-group-item">No upcoming shifts. '
        f'<a href="{board}">See open shifts</a></li></ul>'
    ) in html

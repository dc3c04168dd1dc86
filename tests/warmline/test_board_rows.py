"""The board's rows as the view writes them (``_shift_row_html``, warmline/views/board.py),
the week's shifts and the user's own shifts around it read together
(selectors.board_shifts), and the credential names read with the user's certifications
(qualification_answers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerportal.certification.qualification import qualification_answers, why_not_qualified
from peerportal.warmline import selectors, services
from peerportal.warmline.models import Shift, ShiftAssignment
from tests.certification.factories import CredentialTypeFactory, grant_credential

from .factories import WarmLineFactory
from .march_2026 import WEEK, at, shift_on
from .march_2026 import pinned as pinned_march

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned(new_york):
    with pinned_march():
        yield


def row_of(html: str, shift) -> str:
    row = html[html.index(f'id="shift-{shift.pk}"') :]
    return row[: row.index("</li>")]


def board(client, **params):
    return client.get(reverse("warmline:board"), {"week": WEEK, **params}).content.decode()


def test_shifts_on_a_line_the_person_left_still_count_on_the_board(staff, staff_client):
    here = WarmLineFactory(name="Here Line", members=[staff], max_hours_per_week=10)
    gone = WarmLineFactory(name="Gone Line", members=[staff])
    worked = shift_on(gone, 10, 8, 8)  # Tuesday: 8 h of the week's 10
    services.shift_sign_up(shift=worked, person=staff)
    gone.members.remove(staff)
    clash = shift_on(here, 10, 12, 2)
    too_long = shift_on(here, 12, 8, 3)
    fits = shift_on(here, 13, 8, 2)
    html = board(staff_client)
    assert "Gone Line" not in html
    assert "Your hours in the week of 9 March: 8 h." in html
    assert "already on a shift at that time" in row_of(html, clash)
    assert "over the maximum of 10 h a week; you have 8 h that week" in row_of(html, too_long)
    assert "hx-post" in row_of(html, fits)
    # Filtered to one line, the person's shifts on other lines still count.
    filtered = board(staff_client, line=here.pk)
    assert "over the maximum of 10 h a week" in row_of(filtered, too_long)


def test_the_line_filter_shows_one_line_and_keeps_the_users_other_shifts(staff, staff_client):
    first = WarmLineFactory(name="First Line", members=[staff])
    second = WarmLineFactory(name="Second Line", members=[staff])
    mine = shift_on(second, 11, 18, 3)
    services.shift_sign_up(shift=mine, person=staff)
    clash = shift_on(first, 11, 19, 2)
    html = board(staff_client, line=first.pk)
    assert f'id="shift-{clash.pk}"' in html and f'id="shift-{mine.pk}"' not in html
    assert "already on a shift at that time" in row_of(html, clash)
    assert "Your hours in the week of 9 March: 3 h." in html


def test_board_shifts_reads_the_week_and_the_users_shifts_around_it(staff, other_staff):
    line = WarmLineFactory(members=[staff, other_staff])
    elsewhere = WarmLineFactory(members=[other_staff])
    before = shift_on(elsewhere, 2, 8, 2)  # the week before, on a line staff doesn't see
    ShiftAssignment.objects.create(shift=before, person=staff)
    far = shift_on(line, 30, 8, 2)  # weeks later: neither shown nor around
    ShiftAssignment.objects.create(shift=far, person=staff)
    open_one = shift_on(line, 12, 8, 2)
    taken = shift_on(line, 13, 8, 2)
    ShiftAssignment.objects.create(shift=taken, person=staff)
    ShiftAssignment.objects.create(shift=taken, person=other_staff)
    shift_on(elsewhere, 12, 8, 2)  # not on staff's lines
    lines = list(selectors.line_list_for(staff))
    with CaptureQueriesContext(connection) as queries:
        week, mine = selectors.board_shifts(staff, start=at(9, 0), end=at(16, 0), lines=lines)
    assert len(queries) == 1
    assert [s.pk for s in week] == [open_one.pk, taken.pk]
    assert [(s.staffed, s.mine) for s in week] == [(0, False), (2, True)]
    with CaptureQueriesContext(connection) as queries:
        assert week[0].line is lines[0] and week[1].line is lines[0]
    assert len(queries) == 0
    assert {s.pk for s in mine} == {before.pk, taken.pk}


def test_rows_escape_the_line_name_and_the_refusal(staff, staff_client):
    CredentialTypeFactory(code="night", name="<i>Night</i> & care")
    line = WarmLineFactory(name="<b>Harbor</b> & Bay", members=[staff])
    needs = shift_on(line, 12, 18, 3, required_qualification="night")
    html = board(staff_client)
    row = row_of(html, needs)
    assert "&lt;b&gt;Harbor&lt;/b&gt; &amp; Bay" in row and "<b>Harbor" not in row
    assert "needs the &lt;i&gt;Night&lt;/i&gt; &amp; care credential" in row
    assert "disabled" in row and "<i>" not in row
    fragment = staff_client.post(
        reverse("warmline:shift-sign-up", args=[needs.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith('<li class="list-group-item d-flex') and "<html" not in fragment
    assert 'role="alert">Needs the “&lt;i&gt;Night&lt;/i&gt; &amp; care” credential.' in fragment
    assert "<i>Night" not in fragment


def test_rows_per_persona_say_on_it_full_roster_and_assign(
    staff, other_staff, staff_client, coordinator_client, coordinator
):
    line = WarmLineFactory(members=[staff, other_staff])
    mine = shift_on(line, 12, 8, 2)
    services.shift_sign_up(shift=mine, person=staff)
    full = shift_on(line, 13, 8, 2, max_staff=1)
    services.shift_sign_up(shift=full, person=other_staff)
    html = board(staff_client)
    assert "You're on it" in row_of(html, mine) and "hx-post" not in row_of(html, mine)
    assert '<span class="small">Full</span>' in row_of(html, full)
    assert "Roster" not in html and "/assign/" not in html
    coordinator_html = board(coordinator_client)
    row = row_of(coordinator_html, mine)
    assert reverse("warmline:shift-detail", args=[mine.pk]) in row
    assert reverse("warmline:shift-assign", args=[mine.pk]) in row
    staff.preferred_language = "es"
    staff.save()
    spanish = board(staff_client)
    assert "Completo" in row_of(spanish, full) and "Usted está en este turno" in spanish


def test_credential_names_come_with_the_certifications(staff):
    CredentialTypeFactory(code="shown-only", name="Shown only")
    CredentialTypeFactory(code="not-held", name="Not held")
    grant_credential(staff, "held")
    grant_credential(staff, "also-held")
    moment = at(12, 8)
    with CaptureQueriesContext(connection) as queries:
        answers = qualification_answers(
            person=staff, asks={("held", moment)}, shown={"held", "also-held"}
        )
    assert answers.names == {"held": "Credential held", "also-held": "Credential also-held"}
    assert answers.reasons == {("held", moment): None}
    assert not any(
        'FROM "certification_credentialtype" WHERE' in q["sql"] for q in queries.captured_queries
    ), "every name came with a certification"
    answers = qualification_answers(
        person=staff,
        asks={("held", moment), ("not-held", moment)},
        shown={"shown-only"},
    )
    assert answers.names == {
        "held": "Credential held",
        "not-held": "Not held",
        "shown-only": "Shown only",
    }
    assert answers.reasons[("not-held", moment)] == why_not_qualified(
        person=staff, code="not-held", at=moment
    )
    assert answers.reasons[("not-held", moment)] == "Needs the “Not held” credential."
    # Nothing asked: the names alone.
    assert qualification_answers(person=staff, asks=[], shown={"held"}).names == {
        "held": "Credential held"
    }


def test_a_full_week_names_credentials_without_asking_anything(staff, staff_client):
    CredentialTypeFactory(code="night", name="Night care")
    line = WarmLineFactory(members=[staff])
    mine = shift_on(line, 12, 8, 2, max_staff=1, required_qualification="night")
    ShiftAssignment.objects.create(shift=mine, person=staff)
    html = board(staff_client)
    assert "You're on it" in row_of(html, mine)
    assert "needs the Night care credential" in row_of(html, mine)


def test_board_shifts_without_lines_or_with_a_foreign_line_shows_none(staff, other_staff):
    line = WarmLineFactory(members=[staff, other_staff])
    elsewhere = WarmLineFactory(members=[other_staff])
    mine = shift_on(line, 12, 8, 2)
    ShiftAssignment.objects.create(shift=mine, person=staff)
    left = shift_on(line, 13, 8, 2)
    ShiftAssignment.objects.create(shift=left, person=staff, is_active=False)
    ShiftAssignment.objects.create(shift=left, person=other_staff)
    week, around = selectors.board_shifts(staff, start=at(9, 0), end=at(16, 0), lines=[])
    assert week == [] and [s.pk for s in around] == [mine.pk]
    lines = list(selectors.line_list_for(staff))
    week, _around = selectors.board_shifts(
        staff, start=at(9, 0), end=at(16, 0), lines=lines, line_id=elsewhere.pk
    )
    assert week == []
    week, around = selectors.board_shifts(
        staff, start=at(9, 0), end=at(16, 0), lines=lines, line_id=line.pk
    )
    assert [(s.pk, s.staffed, s.mine) for s in week] == [(mine.pk, 1, True), (left.pk, 1, False)]
    assert [s.pk for s in around] == [mine.pk]
    assert week[0].starts_at == at(12, 8) and week[0].starts_at.utcoffset() == dt.timedelta(0)
    assert week[0] == Shift.objects.get(pk=mine.pk) and week[0].required_qualification == ""


def test_visible_lines_are_line_list_for_as_a_list(staff, other_staff, supervisor, coordinator):
    WarmLineFactory(name="Bay", members=[staff], has_text=True)
    WarmLineFactory(name="Alder", members=[staff, other_staff])
    WarmLineFactory(name="Closed", members=[staff], is_active=False)
    WarmLineFactory(name="Cove", members=[other_staff])
    for user in (staff, other_staff, supervisor, coordinator):
        with CaptureQueriesContext(connection) as queries:
            lines = selectors.visible_lines(user)
        assert len(queries) == 1
        expected = list(selectors.line_list_for(user))
        assert lines == expected and [li.name for li in lines] == [li.name for li in expected]
        for got, want in zip(lines, expected, strict=True):
            assert [getattr(got, f.attname) for f in got._meta.concrete_fields] == [
                getattr(want, f.attname) for f in want._meta.concrete_fields
            ]
            assert got.has_text is want.has_text and got.is_active is True
    assert [li.name for li in selectors.visible_lines(staff)] == ["Alder", "Bay"]
    assert [li.name for li in selectors.visible_lines(supervisor)] == ["Alder", "Bay", "Cove"]

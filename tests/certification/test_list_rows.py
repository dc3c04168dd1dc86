"""The list rows made in Python (team, review queue, my training): what people typed is
escaped, and the standings' credential types carry their rules in a fixed order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from peerportal.certification import selectors
from peerportal.certification.models import (
    ApprovedProvider,
    CETopic,
    TopicRequirement,
    TrainingRecord,
)
from peerportal.certification.selectors import rule_rows
from tests.certification.factories import TrainingRecordFactory, grant_credential

pytestmark = pytest.mark.django_db

TYPED = '<b>Grief & "loss"</b>'


def test_typed_text_is_escaped_in_the_rows(staff, staff_client, supervisor_client):
    cert = grant_credential(staff, "escaped-credential")
    cert.credential_type.name = TYPED
    cert.credential_type.save()
    TrainingRecordFactory(person=staff, course=TYPED, provider=TYPED, hours=Decimal("1.50"))
    escaped = "&lt;b&gt;Grief &amp; &quot;loss&quot;&lt;/b&gt;"
    for client, name in [
        (staff_client, "certification:progress"),
        (supervisor_client, "certification:review-queue"),
        (supervisor_client, "certification:team"),
    ]:
        html = client.get(reverse(name)).content.decode()
        assert escaped in html, name
        assert TYPED not in html, name
    assert "1.50 h" in supervisor_client.get(reverse("certification:review-queue")).content.decode()


def test_standings_carry_requirements_in_the_order_added_and_providers(staff):
    cert = grant_credential(staff, "ordered-credential")
    ctype = cert.credential_type
    topics = [CETopic.objects.create(code=f"t{k}", name=f"Topic {k}") for k in range(3)]
    for topic, hours in zip(reversed(topics), (1, 2, 3), strict=True):
        TopicRequirement.objects.create(credential_type=ctype, topic=topic, min_hours=hours)
    TopicRequirement.objects.filter(topic=topics[2]).update(min_hours=Decimal("4.25"))
    ApprovedProvider.objects.create(credential_type=ctype, name="Invented Institute")
    row = selectors.standings_by_person([staff], dt.date.today())[staff.pk][0]
    loaded = row["certification"].credential_type
    reqs = list(loaded.topic_requirements.all())
    assert [(r.topic.name, r.min_hours) for r in reqs] == [
        ("Topic 2", Decimal("4.25")),
        ("Topic 1", Decimal("2")),
        ("Topic 0", Decimal("3")),
    ]
    assert [p.name for p in loaded.approved_providers.all()] == ["Invented Institute"]
    assert row["certification"].pk == cert.pk and row["certification"].holder_id == staff.pk


def test_rule_rows_leave_out_ce_before_the_first_issue_and_count_the_waiting(
    staff, other_staff, supervisor
):
    """The team page's one query: approved records the rules can count (CE from the first
    issue date on, initial training whenever), and the waiting ones counted, not loaded."""
    day = dt.date(2026, 3, 1)
    grant_credential(staff, "later-credential", issued=day)
    grant_credential(staff, "first-credential", issued=day - dt.timedelta(days=100))
    approved = {"status": "approved", "person": staff}
    before = TrainingRecordFactory(completed_on=day - dt.timedelta(days=101), **approved)
    first_day = TrainingRecordFactory(completed_on=day - dt.timedelta(days=100), **approved)
    initial = TrainingRecordFactory(
        completed_on=day - dt.timedelta(days=900), is_initial_training=True, **approved
    )
    TrainingRecordFactory(person=staff)  # waiting for review
    TrainingRecordFactory(person=staff)
    TrainingRecordFactory(person=staff, status="changes_requested")
    TrainingRecordFactory(person=supervisor, status="approved")  # not asked for
    # Someone never issued a certification: only initial training can count for them.
    TrainingRecordFactory(person=other_staff, status="approved", completed_on=day)
    in_training = TrainingRecordFactory(
        person=other_staff, status="approved", is_initial_training=True
    )
    rows, waiting = selectors.approved_rows_and_pending_counts([staff.pk, other_staff.pk])
    assert sorted(r.pk for r in rows[staff.pk]) == sorted([first_day.pk, initial.pk])
    assert [r.pk for r in rows[other_staff.pk]] == [in_training.pk]
    assert waiting == {staff.pk: 2}
    row = next(r for r in rows[staff.pk] if r.pk == first_day.pk)
    assert (row.completed_on, row.hours, row.course, row.provider, row.status) == (
        first_day.completed_on,
        Decimal(3),
        first_day.course,
        "Invented Institute",
        "approved",
    )
    assert before.pk not in {r.pk for r in rule_rows._approved_rule_rows([staff.pk])[staff.pk]}


def test_standings_from_the_rule_rows_match_standings_from_every_approved_record(staff):
    """Leaving out CE records from before the first issue changes no standing: a course
    repeated across that date, and a cycle that needs the hours after it."""
    from peerportal.certification.demo import seed_credential_types
    from peerportal.certification.models import TrainingRecord

    seed_credential_types()
    issued = dt.date(2024, 5, 1)
    cert = grant_credential(staff, "state-cps", issued=issued)
    for days, course in ((-30, "Same"), (-1, "Other"), (0, "Same"), (40, "Third"), (400, "Same")):
        TrainingRecordFactory(
            person=staff,
            status="approved",
            course=course,
            hours=Decimal(12),
            completed_on=issued + dt.timedelta(days=days),
        )
    every = list(TrainingRecord.objects.filter(person=staff, status="approved"))
    for on in (issued, dt.date(2025, 6, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 20)):
        got = selectors.standings_by_person([staff], on, hours={})[staff.pk][0]["standing"]
        assert got == selectors.certification_standing(cert, on, every), on


def _card_row(cert, standing, **extra):
    from peerportal.certification import rules

    return {
        "certification": cert,
        "standing": standing,
        "status_label": rules.STATUS_LABELS[standing.status],
        "days_to_expiry": standing.days_to_expiry(dt.date(2026, 3, 1)),
        "initial": rules.Progress([]),
        "can_attest": False,
        **extra,
    }


def test_credential_cards_show_requirements_training_and_attesting_as_the_page_did(
    rf, staff, other_staff
):
    """The cards made in Python (``standings_html``): escaped names, localized hours,
    initial training with supervised practice, and the attest button for the holder only."""
    from django.utils import translation

    from peerportal.certification import rules
    from peerportal.certification.standings_html import standings_html

    cert = grant_credential(staff, "card-credential")
    cert.credential_type.name = TYPED
    cycle = rules.Cycle(dt.date(2025, 3, 1), dt.date(2027, 3, 1))
    progress = rules.Progress(
        [
            rules.Requirement("total", Decimal(20), Decimal("7.5")),
            rules.Requirement(TYPED, Decimal(6), Decimal(6)),
            rules.Requirement("attestation", Decimal(1), Decimal(0)),
        ]
    )
    active = rules.Standing(rules.Status.EXPIRING, cycle.end, cycle, progress)
    training = rules.Standing(rules.Status.IN_TRAINING, None, None, None)
    initial = rules.Progress(
        [
            rules.Requirement("initial training", Decimal(40), Decimal(12)),
            rules.Requirement("supervised practice", Decimal(10), Decimal("2.5")),
        ]
    )
    rows = [
        _card_row(cert, active, can_attest=True, pending_hours=Decimal("1.5")),
        _card_row(cert, training, initial=initial, pending_hours=Decimal(3)),
    ]
    request = rf.get("/")
    request.user = staff
    html = str(standings_html(request, rows, show_pending=True))
    escaped = "&lt;b&gt;Grief &amp; &quot;loss&quot;&lt;/b&gt;"
    assert f'<h3 class="h5">{escaped}\n    <span class="badge text-bg-warning">' in html
    assert "Valid until 1 March 2027 (365 days)" in html
    assert "Continuing education, total: 7.50 / 20 h (12.50 h to go)" in html
    assert f"{escaped}: 6 / 6 h</span>" in html and TYPED not in html
    assert "Attestation for this cycle: not yet" in html
    assert 'name="csrfmiddlewaretoken"' in html and f'value="{cert.pk}"' in html
    assert "Initial training: 12 / 40 h</li>" in html
    assert "Supervised practice: 2.50 / 10 h</li>" in html
    assert html.count("Waiting for review:") == 2 and "1.50 h more" in html
    assert "Waiting for review" not in str(standings_html(request, rows))
    request.user = other_staff  # a supervisor's view: no attesting for someone else
    assert "<form" not in str(standings_html(request, rows))
    with translation.override("es"):
        spanish = str(standings_html(request, rows, show_pending=True))
        assert "7,50 / 20 h (faltan 12,50 h)" in spanish
        assert "Válida hasta el 1 marzo 2027 (365 días)" in spanish
        assert "Supervised practice" not in spanish
    assert str(standings_html(request, [])).startswith("<p>No credentials recorded yet.")


def test_written_out_statements_read_what_the_orm_reads(
    staff, other_staff, supervisor, monkeypatch
):
    """On PostgreSQL a few hot reads run written-out SQL; other databases take the ORM. Both
    must give the same rows: compared here on PostgreSQL, each with the ORM's answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerportal.certification.models import SupervisionSession

    if connection.vendor != "postgresql":
        pytest.skip("the written-out statements are PostgreSQL's")
    grant_credential(staff, "some-credential", issued=dt.date(2025, 1, 1))
    topic = CETopic.objects.create(code="ethics-x", name="Ethics X")
    kept = TrainingRecordFactory(
        person=staff, status="approved", topic=topic, hours=Decimal("1.25"), evidence="a/b.pdf"
    )
    TrainingRecordFactory(person=staff, status="approved", completed_on=dt.date(2024, 1, 1))
    TrainingRecordFactory(person=staff, completed_on=kept.completed_on)  # waiting
    TrainingRecordFactory(person=staff, status="changes_requested")
    TrainingRecordFactory(person=other_staff)
    for days, hours in ((3, "1.50"), (1, "2"), (9, "0.25")):
        SupervisionSession.objects.create(
            staff=staff,
            supervisor=supervisor,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=days),
            hours=Decimal(hours),
            notes=f"note {days}",
        )

    def both(read):
        with CaptureQueriesContext(connection) as written_sql:
            written_out = read()
        monkeypatch.setattr(connection, "vendor", "orm-path")
        try:
            with CaptureQueriesContext(connection) as orm_sql:
                answer = read()
        finally:
            monkeypatch.undo()
        # Two different statements ran: the ORM names every column with its table.
        assert written_sql[0]["sql"] != orm_sql[0]["sql"]
        assert '"certification_trainingrecord"."id"' not in written_sql[0]["sql"]
        return written_out, answer

    written, orm = both(lambda: selectors.records_all_of(staff))
    assert written == orm and len(written[0]) == 4 and len(written[1]) == 2
    row = next(r for r in written[0] if r.pk == kept.pk)
    assert (row.topic_name, row.evidence, row.hours, row.status_label) == (
        "Ethics X",
        "a/b.pdf",
        Decimal("1.25"),
        "Approved",
    )
    assert [r.pk for r in written[0]] == [
        r.pk for r in TrainingRecord.objects.filter(person=staff).order_by("-completed_on", "-id")
    ]
    assert [r.owner_can_change for r in written[2]] == [True, True]
    written, orm = both(lambda: selectors.recent_supervision_with_total(staff, 2))
    assert (
        written
        == orm
        == (
            [
                (dt.date(2026, 1, 10), Decimal("0.25"), "note 9"),
                (dt.date(2026, 1, 4), Decimal("1.50"), "note 3"),
            ],
            Decimal("3.75"),
        )
    )
    ids = [staff.pk, other_staff.pk, supervisor.pk]
    written, orm = both(lambda: selectors.approved_rows_and_pending_counts(ids))
    assert written == orm and written[1] == {staff.pk: 1, other_staff.pk: 1}
    assert [r.pk for r in written[0][staff.pk]] == [kept.pk]


def test_review_notes_come_oldest_first_by_record(staff, supervisor):
    from peerportal.certification.models import Review

    kept, waiting = TrainingRecordFactory(person=staff), TrainingRecordFactory(person=staff)
    for comment in ("second", "first"):
        Review.objects.create(
            record=kept, reviewer=supervisor, decision="approved", comment=comment
        )
    Review.objects.create(record=waiting, reviewer=supervisor, decision="changes_requested")
    notes = selectors.review_notes_by_record([kept.pk, waiting.pk, 0])
    assert notes == {
        kept.pk: [("review", "second"), ("review", "first")],
        waiting.pk: [("review", "")],
        0: [],
    }


@pytest.mark.parametrize("persona", ["supervisor", "coordinator"])
def test_paged_lists_read_what_their_selectors_scope(
    persona, request, staff, other_staff, supervisor, coordinator
):
    """The team and the review queue are paged through ``team_page_list`` and
    ``review_queue_page_list`` (written-out statements on PostgreSQL): the same people and
    records, in the same order, as ``team_for`` and ``review_queue_for``, on every page."""
    from django.core.paginator import Paginator

    from peerportal.accounts.models import User

    user = request.getfixturevalue(persona)
    extra = [
        User.objects.create_user(
            email=f"team{k}@example.test",
            password=None,
            display_name=f"Team {k:02d}",
            role="peer_specialist",
            supervisor=supervisor,
        )
        for k in range(7)
    ]
    User.objects.filter(pk=extra[0].pk).update(is_active=False)
    for person in (*extra[1:], staff, other_staff, supervisor, coordinator):
        TrainingRecordFactory(person=person, hours=Decimal("1.25"))
        TrainingRecordFactory(person=person, status="approved")
    people = [(p.pk, p.display_name) for p in selectors.team_for(user)]
    records = list(selectors.review_queue_for(user))
    assert len(people) > 3 and len(records) > 3
    for per_page in (3, 100):
        paged = Paginator(selectors.team_page_list(user), per_page)
        assert paged.count == len(people)
        got = [(p.pk, p.display_name) for n in paged.page_range for p in paged.page(n)]
        assert got == people
        paged = Paginator(selectors.review_queue_page_list(user), per_page)
        assert paged.count == len(records)
        got = [r for n in paged.page_range for r in paged.page(n)]
        assert [r.pk for r in got] == [r.pk for r in records]
        assert [(r.hours, r.person_name, r.course) for r in got] == [
            (r.hours, r.person.display_name, r.course) for r in records
        ]


def test_list_links_are_the_url_tags_links():
    from peerportal.core.links import pk_link

    for name in ("certification:record-detail", "certification:transcript"):
        assert pk_link(name)(1234) == reverse(name, args=[1234])


def test_current_cycles_are_the_standings_cycles(staff, other_staff, supervisor):
    """The review queue's date checks read ``current_cycles_by_ids``: per person, the same
    credentials in the same order with the same cycles as ``standings_by_ids``."""
    from peerportal.certification.demo import seed_credential_types

    seed_credential_types()
    grant_credential(staff, "state-cps", issued=dt.date(2023, 2, 1))
    grant_credential(staff, "warmline-training", issued=dt.date(2025, 6, 1))
    grant_credential(other_staff, "regional-psc", issued=dt.date(2024, 3, 1))
    grant_credential(other_staff, "national-prc", expires=dt.date(2026, 1, 10))
    grant_credential(supervisor, "state-cps", issued=None)
    TrainingRecordFactory(
        person=staff, status="approved", hours=Decimal(36), completed_on=dt.date(2024, 5, 1)
    )
    ids = [staff.pk, other_staff.pk, supervisor.pk]
    for on in (dt.date(2024, 6, 1), dt.date(2025, 2, 1), dt.date(2026, 3, 1), dt.date(2027, 5, 1)):
        standings = selectors.standings_by_ids(ids, on, hours={})
        expected = {
            pk: [(r["certification"].credential_type.name, r["standing"].cycle) for r in rows]
            for pk, rows in standings.items()
        }
        assert selectors.current_cycles_by_ids(ids, on) == expected, on
    assert selectors.current_cycles_by_ids([staff.pk], dt.date(2024, 6, 1))[staff.pk][0][1]


def test_status_only_standings_skip_initial_training_and_supervised_hours(staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grant_credential(staff, "status-only", issued=None)
    full = selectors.standings_by_person([staff])[staff.pk]
    assert full[0]["initial"] is not None
    with CaptureQueriesContext(connection) as given_hours:
        selectors.standings_by_person([staff], hours={})
    with CaptureQueriesContext(connection) as status_only:
        rows = selectors.standings_by_person([staff], initial=False)[staff.pk]
    assert "initial" not in rows[0]
    assert rows[0]["standing"] == full[0]["standing"]
    assert len(status_only) == len(given_hours)  # no supervised-hours query

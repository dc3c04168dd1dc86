"""Training credit from attendance: the services (records produced once, members excluded,
hours per topic counted toward credentials, every bound with a clear message)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from peerportal.certification import exceptions, selectors, services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import (
    Review,
    TrainingAttendee,
    TrainingCredit,
    TrainingEvent,
    TrainingRecord,
)
from peerportal.core.models import AuditEvent
from tests.certification.factories import grant_credential
from tests.factories import StaffFactory

from .training_helpers import DAY, NOON, PROVIDER, make_training, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOON, tick=False):
        seed_credential_types()  # the real rules (DOMAIN.md), before any credential is granted
        yield


@pytest.fixture
def training(coordinator, supervisor):
    return make_training(coordinator, supervisor)


def _attend(event, facilitator, *people):
    for person in people:
        services.training_attendee_add(actor=facilitator, event=event, person=person)


def test_closing_gives_each_attending_staff_member_an_approved_record_per_topic(
    training, supervisor, staff, other_staff
):
    _attend(training, supervisor, staff, other_staff)
    assert services.training_event_close(actor=supervisor, event=training) == 2

    for person in (staff, other_staff):
        credit = TrainingCredit.objects.get(event=training, person=person)
        records = sorted(credit.records.all(), key=lambda r: r.topic.code)
        assert [(r.topic.code, r.hours) for r in records] == [
            ("ethics", Decimal(3)),
            ("peer-practice", Decimal("4.50")),
        ]
        assert {(r.status, r.course, r.provider, r.completed_on) for r in records} == {
            ("approved", "Ethics day", PROVIDER, DAY)
        }
        reviews = Review.objects.filter(record__in=records)
        assert {(rv.reviewer_id, rv.decision, rv.source) for rv in reviews} == {
            (supervisor.pk, "approved", "attendance")
        }
    training.refresh_from_db()
    assert training.is_closed and training.closed_by == supervisor


def test_the_audit_trail_says_approved_from_attendance_by_the_facilitator(
    training, supervisor, staff
):
    _attend(training, supervisor, staff)
    services.training_event_close(actor=supervisor, event=training)
    credit = TrainingCredit.objects.get(person=staff)
    event = AuditEvent.objects.get(action="training_record.approved_from_attendance")
    assert event.actor == supervisor
    assert event.object_id == str(credit.pk)
    assert event.extra["approved_by"] == supervisor.pk
    assert sorted(event.extra["record_ids"]) == sorted(credit.records.values_list("pk", flat=True))


def test_hours_per_topic_count_toward_a_credential_like_any_approved_record(
    training, supervisor, staff
):
    # Like Pennsylvania's CPS (DOMAIN.md): 36 h a cycle, of which ≥24 practice and ≥3 ethics.
    cert = grant_credential(staff, "state-cps", issued=DAY - dt.timedelta(days=100))
    before = {
        r.label: r.done for r in selectors.certification_standing(cert, DAY).progress.requirements
    }
    assert before == {"total": 0, "Peer support and recovery practice": 0, "Ethics": 0}

    _attend(training, supervisor, staff)
    services.training_event_close(actor=supervisor, event=training)

    progress = selectors.certification_standing(cert, DAY).progress
    done = {r.label: (r.done, r.met) for r in progress.requirements}
    # Both topic lines of the one training count (same course once per cycle is about
    # attending the same course twice, not about its topics).
    assert done == {
        "total": (Decimal("7.5"), False),
        "Peer support and recovery practice": (Decimal("4.5"), False),
        "Ethics": (Decimal(3), True),
    }


def test_the_same_course_attended_twice_in_a_cycle_counts_once(coordinator, supervisor, staff):
    cert = grant_credential(staff, "state-cps", issued=DAY - dt.timedelta(days=100))
    for held_on in (DAY - dt.timedelta(days=30), DAY):
        event = make_training(coordinator, supervisor, held_on=held_on)
        _attend(event, supervisor, staff)
        services.training_event_close(actor=supervisor, event=event)
    assert TrainingRecord.objects.filter(person=staff).count() == 4
    total = selectors.certification_standing(cert, DAY).progress.requirements[0]
    assert (total.label, total.done) == ("total", Decimal("7.5"))


def test_members_are_never_given_training_records(training, supervisor, staff, member):
    with pytest.raises(exceptions.NotStaff):
        services.training_attendee_add(actor=supervisor, event=training, person=member)
    with pytest.raises(exceptions.NotStaff):
        services.training_attendee_register(person=member, event=training)
    # Someone who attended as staff and has since become a member gets nothing either.
    former = StaffFactory()
    _attend(training, supervisor, staff, former)
    former.role = "member"
    former.save(update_fields=["role"])

    assert services.training_event_close(actor=supervisor, event=training) == 1
    assert not TrainingRecord.objects.filter(person__in=[member, former]).exists()
    assert TrainingRecord.objects.filter(person=staff).count() == 2


def test_closing_twice_produces_the_records_once(training, supervisor, coordinator, staff):
    _attend(training, supervisor, staff)
    assert services.training_event_close(actor=supervisor, event=training) == 1
    assert services.training_event_close(actor=supervisor, event=training) == 0
    assert services.training_event_close(actor=coordinator, event=training) == 0
    assert TrainingCredit.objects.filter(event=training).count() == 1
    assert TrainingRecord.objects.filter(person=staff).count() == 2


def test_only_those_marked_present_are_credited(training, supervisor, staff, other_staff):
    services.training_attendee_register(person=staff, event=training)
    services.training_attendee_register(person=other_staff, event=training)
    services.training_attendance_record(actor=supervisor, event=training, present_ids=[staff.pk])
    assert services.training_event_close(actor=supervisor, event=training) == 1
    assert list(TrainingCredit.objects.values_list("person", flat=True)) == [staff.pk]


def test_nobody_approves_their_own_attendance(training, coordinator, supervisor, staff):
    with pytest.raises(exceptions.TrainingInvalid):
        services.training_attendee_register(person=supervisor, event=training)
    _attend(training, supervisor, staff, coordinator)
    # A coordinator who closes it is not credited by their own decision.
    assert services.training_event_close(actor=coordinator, event=training) == 1
    assert not TrainingRecord.objects.filter(person=coordinator).exists()


def test_only_the_facilitator_or_a_coordinator_takes_attendance(training, staff, other_staff):
    for call in (
        lambda: services.training_attendee_add(actor=staff, event=training, person=other_staff),
        lambda: services.training_attendance_record(actor=staff, event=training, present_ids=[]),
        lambda: services.training_event_close(actor=staff, event=training),
    ):
        with pytest.raises(exceptions.NotYourTraining):
            call()
    assert not TrainingAttendee.objects.exists()
    assert not TrainingEvent.objects.filter(closed_at__isnull=False).exists()


def test_a_training_is_closed_on_its_day_or_later(coordinator, supervisor, staff):
    event = make_training(coordinator, supervisor, held_on=DAY + dt.timedelta(days=1))
    _attend(event, supervisor, staff)
    with pytest.raises(exceptions.TrainingNotHeldYet):
        services.training_event_close(actor=supervisor, event=event)
    event.refresh_from_db()
    assert not event.is_closed and not TrainingRecord.objects.exists()


def test_a_late_attendee_after_closing_gets_one_more_credit(
    training, supervisor, coordinator, staff, other_staff
):
    _attend(training, supervisor, staff)
    services.training_event_close(actor=supervisor, event=training)
    services.training_attendee_add(actor=coordinator, event=training, person=other_staff)
    services.training_attendee_add(actor=coordinator, event=training, person=other_staff)
    assert TrainingCredit.objects.filter(event=training).count() == 2
    late = TrainingCredit.objects.get(person=other_staff)
    assert late.approved_by == coordinator and late.records.count() == 2
    assert AuditEvent.objects.filter(action="training_event.late_attendee").count() == 1


def test_after_closing_the_roster_and_details_are_frozen(training, supervisor, coordinator, staff):
    services.training_event_close(actor=supervisor, event=training)
    with pytest.raises(exceptions.TrainingClosed):
        services.training_attendee_register(person=staff, event=training)
    with pytest.raises(exceptions.TrainingClosed):
        services.training_attendance_record(actor=supervisor, event=training, present_ids=[])
    with pytest.raises(exceptions.TrainingClosed):
        services.training_event_save(
            actor=coordinator,
            event=training,
            title="Renamed",
            description="",
            provider=PROVIDER,
            held_on=DAY,
            facilitator=supervisor,
            topic_hours={topic("ethics"): Decimal(1)},
        )
    training.refresh_from_db()
    assert training.title == "Ethics day"


def test_staff_may_register_and_withdraw_before_closing(training, staff):
    services.training_attendee_register(person=staff, event=training)
    services.training_attendee_register(person=staff, event=training)
    assert TrainingAttendee.objects.filter(event=training, person=staff).count() == 1
    services.training_attendee_withdraw(person=staff, event=training)
    assert not TrainingAttendee.objects.exists()


# --- bounds: every guard gives a clear message and changes nothing ------------------------


def _details(supervisor, **override):
    details = {
        "title": "Ethics day",
        "description": "",
        "provider": PROVIDER,
        "held_on": DAY,
        "facilitator": supervisor,
        "topic_hours": {topic("ethics"): Decimal(3)},
    }
    details.update(override)
    return details


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"title": "  "}, "title", "Please give the training a title."),
        ({"title": "x" * 201}, "title", "Please keep the title to 200 characters."),
        ({"description": "x" * 2001}, "description", "Please keep the description to 2,000"),
        ({"provider": "Somewhere else"}, "provider", "Please choose a provider from the approved"),
        ({"held_on": DAY + dt.timedelta(days=400)}, "held_on", "within a year of today"),
        ({"held_on": DAY - dt.timedelta(days=400)}, "held_on", "within a year of today"),
        ({"held_on": None}, "held_on", "Please give the training's date."),
        ({"topic_hours": {}}, "hours", "at least one topic"),
        ({"topic_hours": {None: Decimal("0.2")}}, "hours", "between 0.25 and 40"),
        ({"topic_hours": {None: Decimal(41)}}, "hours", "between 0.25 and 40"),
        ({"topic_hours": {None: "lots"}}, "hours", "between 0.25 and 40"),
        ("two-topics-over-40", "hours", "at most 40 hours in all"),
        ("member-facilitator", "facilitator", "must be a staff member"),
    ],
)
def test_every_bound_on_a_training_has_a_clear_message_and_writes_nothing(
    override, field, message, coordinator, supervisor, member
):
    if override == "two-topics-over-40":
        override = {"topic_hours": {topic("ethics"): Decimal(30), None: Decimal(11)}}
    elif override == "member-facilitator":
        override = {"facilitator": member}
    details = _details(supervisor, **override)
    problems = services.training_event_problems(**details)
    assert list(problems) == [field]
    assert message in str(problems[field])
    with pytest.raises(exceptions.TrainingInvalid, match=message):
        services.training_event_save(actor=coordinator, **details)
    assert not TrainingEvent.objects.exists()


def test_only_coordinators_create_trainings(supervisor):
    with pytest.raises(exceptions.NotYourTraining):
        services.training_event_save(actor=supervisor, **_details(supervisor))
    assert not TrainingEvent.objects.exists()


def test_choosing_a_facilitator_takes_them_off_the_roster(training, coordinator, staff, supervisor):
    _attend(training, supervisor, staff)
    services.training_event_save(actor=coordinator, event=training, **_details(staff))
    assert not TrainingAttendee.objects.filter(event=training, person=staff).exists()

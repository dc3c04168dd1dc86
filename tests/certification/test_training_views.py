"""Training pages, per persona: coordinators plan trainings, staff register, the facilitator
takes and closes attendance (after a confirmation saying who gets what), staff open their
certificate of attendance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from peerportal.certification import services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import (
    TrainingAttendee,
    TrainingCredit,
    TrainingEvent,
    TrainingRecord,
)

from .training_helpers import DAY, NOON, PROVIDER, make_training, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOON, tick=False):
        seed_credential_types()
        yield


@pytest.fixture
def training(coordinator, supervisor):
    return make_training(coordinator, supervisor)


def _form(**override):
    data = {
        "title": "Boundaries workshop",
        "description": "",
        "provider": PROVIDER,
        "held_on": DAY.isoformat(),
        f"hours_{topic('ethics').pk}": "3",
        f"hours_{topic('peer-practice').pk}": "",
        "hours_elective": "1.5",
    }
    data.update(override)
    return data


# --- list and registration ----------------------------------------------------------------


def test_the_training_list_is_for_staff(training, anonymous_client, member_client, staff_client):
    url = reverse("certification:training-list")
    assert anonymous_client.get(url).status_code == 302
    assert member_client.get(url).status_code == 403
    page = staff_client.get(url).content.decode()
    assert "Ethics day" in page and "Register" in page and "New training" not in page


def test_coordinators_see_how_to_plan_and_take_attendance(training, coordinator_client):
    page = coordinator_client.get(reverse("certification:training-list")).content.decode()
    assert "New training" in page
    assert reverse("certification:training-attendance", args=[training.pk]) in page


def test_staff_register_and_withdraw_from_the_list(training, staff, staff_client, member_client):
    url = reverse("certification:training-register", args=[training.pk])
    assert member_client.post(url, {"action": "register"}).status_code == 403
    staff_client.post(url, {"action": "register"})
    assert TrainingAttendee.objects.filter(event=training, person=staff).exists()
    assert "Withdraw" in staff_client.get(reverse("certification:training-list")).content.decode()
    staff_client.post(url, {"action": "withdraw"})
    assert not TrainingAttendee.objects.exists()
    assert staff_client.get(url).status_code == 405


# --- planning a training ------------------------------------------------------------------


def test_a_coordinator_creates_a_training_with_hours_per_topic(
    coordinator, supervisor, coordinator_client
):
    response = coordinator_client.post(
        reverse("certification:training-create"), _form(facilitator=supervisor.pk)
    )
    assert response.status_code == 302
    event = TrainingEvent.objects.get()
    assert {(line.topic_id, line.hours) for line in event.topic_hours.all()} == {
        (topic("ethics").pk, Decimal(3)),
        (None, Decimal("1.5")),
    }


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "Please keep the title to 200 characters."),
        ({"provider": "Somewhere else"}, "Select a valid choice."),
        ({"held_on": "2028-01-01"}, "The date must be within a year of today."),
        ({"held_on": "not a date"}, "Enter a valid date."),
        ({"hours_elective": "0.1"}, "between 0.25 and 40"),
        ({"hours_elective": "41"}, "between 0.25 and 40"),
        ({"hours_elective": "lots"}, "Please enter hours as a number"),
        ({"hours_elective": "", "HOURS_ETHICS": ""}, "at least one topic"),
        ({"hours_elective": "39"}, "at most 40 hours in all"),
    ],
)
def test_every_field_is_bounded_with_a_clear_message(
    override, message, supervisor, coordinator_client
):
    if "HOURS_ETHICS" in override:
        override = {"hours_elective": "", f"hours_{topic('ethics').pk}": ""}
    response = coordinator_client.post(
        reverse("certification:training-create"), _form(facilitator=supervisor.pk, **override)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "cert_" not in page  # never a constraint name
    assert not TrainingEvent.objects.exists()


def test_a_member_cannot_facilitate(member, coordinator_client):
    response = coordinator_client.post(
        reverse("certification:training-create"), _form(facilitator=member.pk)
    )
    assert "Select a valid choice." in response.content.decode()
    assert not TrainingEvent.objects.exists()


def test_only_coordinators_plan_trainings(training, staff_client, supervisor_client):
    for client in (staff_client, supervisor_client):
        assert client.get(reverse("certification:training-create")).status_code == 403
        assert (
            client.get(reverse("certification:training-edit", args=[training.pk])).status_code
            == 403
        )


def test_a_closed_training_is_not_edited(training, supervisor, coordinator_client):
    services.training_event_close(actor=supervisor, event=training)
    url = reverse("certification:training-edit", args=[training.pk])
    response = coordinator_client.post(url, _form(facilitator=supervisor.pk), follow=True)
    assert "can&#x27;t be edited" in response.content.decode()
    training.refresh_from_db()
    assert training.title == "Ethics day"


# --- attendance and closing -----------------------------------------------------------------


@pytest.fixture
def facilitator_client(supervisor_client):
    return supervisor_client  # the training fixture's facilitator is the supervisor


def test_the_roster_shows_display_names_only(training, staff, facilitator_client):
    services.training_attendee_register(person=staff, event=training)
    page = facilitator_client.get(
        reverse("certification:training-attendance", args=[training.pk])
    ).content.decode()
    assert staff.display_name in page
    assert staff.email not in page


def test_only_the_facilitator_or_a_coordinator_opens_the_attendance(
    training, staff_client, coordinator_client, member_client
):
    for name in ("certification:training-attendance", "certification:training-close"):
        url = reverse(name, args=[training.pk])
        assert staff_client.get(url).status_code == 404
        assert member_client.get(url).status_code == 403
        assert coordinator_client.get(url).status_code == 200


def test_the_facilitator_marks_who_came_and_adds_someone(
    training, staff, other_staff, facilitator_client
):
    services.training_attendee_register(person=staff, event=training)
    url = reverse("certification:training-attendance", args=[training.pk])
    facilitator_client.post(url, {"action": "add", "add-person": other_staff.pk})
    facilitator_client.post(url, {"action": "save", "attendance-present": [other_staff.pk]})
    assert dict(TrainingAttendee.objects.values_list("person", "attended")) == {
        staff.pk: False,
        other_staff.pk: True,
    }


def test_a_bad_attendance_value_gets_a_clear_message_and_changes_nothing(
    training, staff, member, facilitator_client
):
    services.training_attendee_register(person=staff, event=training)
    url = reverse("certification:training-attendance", args=[training.pk])
    page = facilitator_client.post(
        url, {"action": "save", "attendance-present": ["987654"]}
    ).content.decode()
    assert "not on this training&#x27;s roster" in page
    page = facilitator_client.post(url, {"action": "add", "add-person": member.pk}).content.decode()
    assert "Please choose a staff member from the list." in page
    assert list(TrainingAttendee.objects.values_list("person", "attended")) == [(staff.pk, False)]


def test_closing_is_confirmed_with_how_many_staff_get_how_many_hours(
    training, staff, other_staff, member, facilitator_client
):
    for person in (staff, other_staff):
        services.training_attendee_register(person=person, event=training)
    TrainingAttendee.objects.update(attended=True)
    url = reverse("certification:training-close", args=[training.pk])
    page = facilitator_client.get(url).content.decode()
    assert "2 staff members will each get 7.50 hours" in page
    assert not TrainingRecord.objects.exists()  # the confirmation page writes nothing

    response = facilitator_client.post(url, follow=True)
    assert "2 staff members were credited" in response.content.decode()
    assert TrainingCredit.objects.count() == 2
    # Closing again (a second tab, a double click) changes nothing.
    again = facilitator_client.post(url, follow=True)
    assert "already closed" in again.content.decode()
    assert TrainingCredit.objects.count() == 2


def test_closing_before_the_training_day_is_refused_clearly(
    coordinator, supervisor, staff, facilitator_client
):
    event = make_training(coordinator, supervisor, held_on=DAY + dt.timedelta(days=2))
    services.training_attendee_add(actor=supervisor, event=event, person=staff)
    url = reverse("certification:training-close", args=[event.pk])
    assert "on the day of the training or later" in facilitator_client.get(url).content.decode()
    page = facilitator_client.post(url).content.decode()
    assert "on the day of the training or later" in page
    assert not TrainingCredit.objects.exists()


def test_a_late_attendee_is_added_and_credited_after_closing(
    training, staff, other_staff, supervisor, facilitator_client
):
    services.training_attendee_add(actor=supervisor, event=training, person=staff)
    services.training_event_close(actor=supervisor, event=training)
    url = reverse("certification:training-attendance", args=[training.pk])
    response = facilitator_client.post(
        url, {"action": "add", "add-person": other_staff.pk}, follow=True
    )
    assert "Added and credited." in response.content.decode()
    assert set(TrainingCredit.objects.values_list("person", flat=True)) == {
        staff.pk,
        other_staff.pk,
    }


def test_someone_registered_but_not_marked_present_can_be_credited_late(
    training, staff, other_staff, supervisor, facilitator_client
):
    services.training_attendee_add(actor=supervisor, event=training, person=staff)
    services.training_attendee_register(person=other_staff, event=training)
    services.training_event_close(actor=supervisor, event=training)
    url = reverse("certification:training-attendance", args=[training.pk])
    page = facilitator_client.get(url).content.decode()
    assert f'value="{other_staff.pk}"' in page  # offered as a late attendee
    assert f'value="{staff.pk}"' not in page  # already credited
    facilitator_client.post(url, {"action": "add", "add-person": other_staff.pk})
    assert TrainingCredit.objects.filter(person=other_staff).count() == 1


# --- the certificate ----------------------------------------------------------------------------


@pytest.fixture
def credit(training, staff, supervisor):
    services.training_attendee_add(actor=supervisor, event=training, person=staff)
    services.training_event_close(actor=supervisor, event=training)
    return TrainingCredit.objects.get(person=staff)


def test_staff_open_their_certificate_from_their_record(credit, staff, staff_client):
    progress = staff_client.get(reverse("certification:progress")).content.decode()
    url = reverse("certification:training-certificate", args=[credit.pk])
    assert url in progress
    assert "Approved from the training's attendance" in progress
    page = staff_client.get(url).content.decode()
    assert "Certificate of attendance" in page
    assert staff.display_name in page and "Ethics day" in page and "7.5" in page
    assert f"TC-{credit.pk}" in page and "Supervisor Cedar" in page


def test_the_certificate_is_for_its_holder_their_supervisor_and_coordinators(
    credit, other_staff_client, member_client, supervisor_client, coordinator_client
):
    url = reverse("certification:training-certificate", args=[credit.pk])
    assert other_staff_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 403
    assert supervisor_client.get(url).status_code == 200
    assert coordinator_client.get(url).status_code == 200

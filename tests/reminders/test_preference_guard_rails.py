"""Email preferences (field report M5): members see only the kinds they can receive,
grouped; a reminder with no time ticked and empty or overlong quiet hours are refused with
a clear message, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerportal.reminders import services
from peerportal.reminders.exceptions import PreferenceInvalid
from peerportal.reminders.forms import enabled_field, offsets_field
from peerportal.reminders.models import NotificationPreference
from peerportal.reminders.registry import AUDIENCE_STAFF, all_kinds

URL = reverse("reminders:preference-edit")
STAFF_LABELS = [str(k.label) for k in all_kinds() if k.audience == AUDIENCE_STAFF]


def test_the_seven_staff_kinds_are_marked_as_staff_only():
    assert len(STAFF_LABELS) == 7


def test_members_see_only_member_kinds_grouped_by_part_of_the_portal(member_client):
    response = member_client.get(URL)
    html = response.content.decode()
    for label in STAFF_LABELS:
        assert label not in html, label
    assert "Before a group session you booked" in html
    headings = [heading for heading, _fields in response.context["form"].sections()]
    assert {"Drop-in centers", "Support groups"} <= set(headings)
    assert "Warm line" not in headings and "Certification" not in headings
    assert len(headings) == len(set(headings))  # each part once, its kinds together
    assert '<legend class="h5">Support groups</legend>' in html


def test_staff_see_their_shift_and_credential_kinds_too(staff_client):
    html = staff_client.get(URL).content.decode()
    assert "Before a warm-line shift" in html and "Before a credential expires" in html
    assert "Warm line" in html and "Certification" in html


def _initial_post(client) -> dict:
    """The form as shown: every field at its initial value."""
    form = client.get(URL).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value in (None, False, ""):
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def _stored(user):
    pref = NotificationPreference.objects.filter(user=user).first()
    return None if pref is None else (pref.disabled_kinds, pref.offsets, pref.quiet_hours_start)


@pytest.mark.django_db
def test_a_reminder_with_no_time_ticked_is_refused(member, member_client):
    data = _initial_post(member_client)
    assert data.pop(offsets_field("session_upcoming"))
    before = _stored(member)
    response = member_client.post(URL, data)
    assert response.status_code == 200
    errors = response.context["form"].errors[offsets_field("session_upcoming")]
    assert "Tick at least one time, or switch this reminder off." in errors
    assert _stored(member) == before


@pytest.mark.django_db
def test_a_reminder_switched_off_needs_no_time(member, member_client):
    data = _initial_post(member_client)
    data.pop(offsets_field("session_upcoming"))
    data.pop(enabled_field("session_upcoming"))
    assert member_client.post(URL, data).status_code == 302
    assert "session_upcoming" in NotificationPreference.objects.get(user=member).disabled_kinds


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("07:00", "07:00", "different times"),
        ("06:00", "23:30", "at most 16 hours"),
        ("22:00", "", "both a start and an end"),
    ],
)
@pytest.mark.django_db
def test_quiet_hours_that_make_no_sense_are_refused(member, member_client, start, end, words):
    data = _initial_post(member_client) | {"quiet_hours_start": start, "quiet_hours_end": end}
    before = _stored(member)
    response = member_client.post(URL, data)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _stored(member) == before


@pytest.mark.django_db
def test_quiet_hours_across_midnight_are_saved(member, member_client):
    data = _initial_post(member_client) | {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}
    assert member_client.post(URL, data).status_code == 302
    pref = NotificationPreference.objects.get(user=member)
    assert (pref.quiet_hours_start, pref.quiet_hours_end) == (dt.time(22), dt.time(7))


@pytest.mark.django_db
def test_a_member_saving_keeps_hidden_staff_choices(member, member_client):
    NotificationPreference.objects.create(
        user=member, disabled_kinds=["coverage_gap"], offsets={"shift_upcoming": [60]}
    )
    assert member_client.post(URL, _initial_post(member_client)).status_code == 302
    pref = NotificationPreference.objects.get(user=member)
    assert "coverage_gap" in pref.disabled_kinds and pref.offsets["shift_upcoming"] == [60]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"quiet_hours_start": dt.time(7), "quiet_hours_end": dt.time(7)}, "different times"),
        ({"offsets": {"session_upcoming": []}}, "Tick at least one time"),
        ({"offsets": {"session_upcoming": [0]}}, "90 days"),
        ({"offsets": {"session_upcoming": [200 * 24 * 60]}}, "90 days"),
    ],
)
@pytest.mark.django_db
def test_the_service_refuses_what_the_form_refuses(member, kwargs, words):
    arguments = {
        "user": member,
        "disabled_kinds": [],
        "offsets": {},
        "quiet_hours_start": None,
        "quiet_hours_end": None,
    } | kwargs
    with pytest.raises(PreferenceInvalid, match=words):
        services.notification_preference_update(**arguments)
    assert not NotificationPreference.objects.filter(user=member).exists()

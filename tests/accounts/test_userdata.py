"""Data export and account erasure."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from peerportal.accounts import services
from peerportal.accounts.erasure import ERASED_DISPLAY_NAME, user_erase
from peerportal.accounts.export import user_data_export
from peerportal.accounts.userdata import USER_DATA, user_relations
from peerportal.core.audit import audit_record
from peerportal.core.models import AuditEvent
from tests.factories import TEST_PASSWORD


def test_every_model_that_points_at_users_has_an_export_and_erasure_policy():
    missing = sorted(set(user_relations()) - set(USER_DATA))
    assert not missing, f"add these to accounts.userdata.USER_DATA: {missing}"


def test_policies_name_real_models_and_valid_actions():
    relations = user_relations()
    for label, policy in USER_DATA.items():
        assert policy.on_erase in ("delete", "keep"), label
        # A stale entry for a model that no longer points at users is a mistake too.
        assert label in relations, f"{label} is listed but does not relate to users"


def test_export_contains_every_user_linked_model(member):
    services.feed_token_for(user=member)
    exported = user_data_export(user=member)
    assert set(exported["data"]) == set(user_relations())
    assert exported["data"]["accounts.user"][0]["Display name"] == member.display_name
    assert not {"password", "Password"} & set(exported["data"]["accounts.user"][0])
    assert not {"token", "Token"} & set(exported["data"]["accounts.feedtoken"][0])
    assert set(exported["contents"]) == set(user_relations())


def test_export_is_readable_labelled_named_and_in_the_persons_time_zone(member, other_member):
    """Not a model dump: words for fields and choices, the group named, local times."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from peerportal.groups import services as group_services
    from tests.groups.factories import GroupSessionFactory

    member.time_zone = "America/Chicago"
    member.save()
    starts = dt.datetime(2027, 3, 9, 18, tzinfo=ZoneInfo("America/New_York"))
    session = GroupSessionFactory(
        group__name="Tuesday Evening Mood Support",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    import time_machine

    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        group_services.booking_create(member=member, session=session)
        group_services.booking_create(member=other_member, session=session)
        exported = user_data_export(user=member)
    (booking,) = exported["data"]["groups.booking"]
    assert booking["Session"] == "Tuesday Evening Mood Support, 2027-03-09T17:00-06:00"
    assert booking["Status"] == "Booked"
    assert booking["Member"] == f"{member.display_name} (you)"
    assert exported["contents"]["groups.booking"] == "Bookings (1)"
    assert exported["exported_at"] == "2027-03-01T06:00-06:00"
    assert "America/Chicago" in exported["about"]
    assert other_member.display_name not in json.dumps(exported, default=str)


def test_export_holds_only_the_requesters_rows(member, other_member):
    services.feed_token_for(user=member)
    services.feed_token_for(user=other_member)
    text = json.dumps(user_data_export(user=member), default=str)
    assert other_member.email not in text
    assert other_member.display_name not in text


def test_export_download_is_audited(member_client, member):
    assert member_client.get(reverse("accounts:data-export")).status_code == 200
    response = member_client.post(reverse("accounts:data-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert body["user_id"] == member.pk
    assert AuditEvent.objects.filter(action="user.export", actor_id=member.pk).exists()


def test_erasure_pseudonymises_and_deletes_personal_rows(member, coordinator):
    services.feed_token_for(user=member)
    audit_record(actor=member, action="test.something", obj=member)
    email = member.email
    user_erase(user=member, actor=member)
    member.refresh_from_db()
    assert member.display_name == ERASED_DISPLAY_NAME
    assert email not in member.email
    assert not member.is_active and not member.has_usable_password()
    assert member.erased_at is not None
    assert not EmailAddress.objects.filter(user=member).exists()
    assert (
        not hasattr(member, "feed_token")
        or not type(member).objects.filter(pk=member.pk, feed_token__isnull=False).exists()
    )
    # The audit trail keeps the id (no personal data) and records the erasure.
    assert AuditEvent.objects.filter(actor_id=member.pk, action="test.something").exists()
    assert AuditEvent.objects.filter(action="user.erase", object_id=str(member.pk)).exists()


def test_account_deletion_needs_the_password_and_signs_out(member_client, member):
    url = reverse("accounts:account-delete")
    response = member_client.post(url, {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    member.refresh_from_db()
    assert member.is_active
    response = member_client.post(url, {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert member_client.get(reverse("core:dashboard")).status_code == 302


@pytest.mark.parametrize("confirm", ["", None])
def test_account_deletion_needs_the_confirmation_box(member_client, member, confirm):
    data = {"password": TEST_PASSWORD}
    if confirm is not None:
        data["confirm"] = confirm
    member_client.post(reverse("accounts:account-delete"), data)
    member.refresh_from_db()
    assert member.is_active

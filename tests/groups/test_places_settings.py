"""A coordinator's per-group settings for waitlist offers and standing places."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerportal.groups import standing
from peerportal.groups.exceptions import GroupsError
from peerportal.groups.models import SupportGroup
from tests.groups.factories import SupportGroupFactory

pytestmark = pytest.mark.django_db

VALID = {
    "offer_window_hours": "12",
    "offer_lifetime_minutes": "90",
    "standing_places_allowed": "on",
    "standing_share_percent": "60",
    "standing_missed_limit": "2",
    "standing_answer_days": "5",
}


def test_coordinator_saves_the_place_settings(coordinator_client):
    group = SupportGroupFactory()
    url = reverse("groups:group-places-edit", args=[group.pk])
    assert "Waitlist offers" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, VALID)
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.offer_window_hours, group.offer_lifetime_minutes) == (12, 90)
    assert group.standing_places_allowed and group.standing_share_percent == 60
    assert (group.standing_missed_limit, group.standing_answer_days) == (2, 5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offer_window_hours", "169", "less than or equal to 168"),
        ("offer_lifetime_minutes", "5", "greater than or equal to 15"),
        ("offer_lifetime_minutes", "3000", "less than or equal to 2880"),
        ("standing_share_percent", "0", "greater than or equal to 1"),
        ("standing_share_percent", "101", "less than or equal to 100"),
        ("standing_missed_limit", "11", "less than or equal to 10"),
        ("standing_answer_days", "0", "greater than or equal to 1"),
        ("offer_window_hours", "lots", "Enter a whole number"),
    ],
)
def test_a_bad_setting_gets_a_clear_message_and_changes_nothing(
    coordinator_client, field, value, message
):
    group = SupportGroupFactory()
    before = SupportGroup.objects.values().get(pk=group.pk)
    response = coordinator_client.post(
        reverse("groups:group-places-edit", args=[group.pk]), {**VALID, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SupportGroup.objects.values().get(pk=group.pk) == before


def test_the_service_refuses_out_of_bounds_values_too(coordinator):
    group = SupportGroupFactory()
    group.offer_lifetime_minutes = 1
    with pytest.raises(GroupsError, match="greater than or equal to 15"):
        standing.group_places_update(actor=coordinator, group=group)
    group.refresh_from_db()
    assert group.offer_lifetime_minutes == 120

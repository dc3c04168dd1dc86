"""Every support-group URL, with real objects, for every persona.

The portal-wide matrix (tests/test_authorization_matrix.py) checks roles with dummy ids;
this table also checks object scoping: a member's booking is theirs alone, a roster
belongs to the group's facilitators (and coordinators).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerportal.accounts.services import feed_token_for
from peerportal.groups import services, standing
from peerportal.groups.models import WaitlistOffer
from tests.factories import UserFactory, org_localdate
from tests.groups.factories import GroupSessionFactory, SupportGroupFactory

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "member",
    "other_member",
    "staff",
    "other_staff",
    "supervisor",
    "coordinator",
)
LOGIN = "login"

# name: (method, object key, expected per persona in PERSONAS order)
# "staff" facilitates the group; "member" holds the booking.
TABLE = {
    "groups:group-list": ("get", None, (200, 200, 200, 200, 200, 200, 200)),
    "groups:group-detail": ("get", "group", (200, 200, 200, 200, 200, 200, 200)),
    "groups:booking-create": ("post", "session", (LOGIN, 302, 302, 302, 302, 302, 302)),
    "groups:booking-list": ("get", None, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "groups:booking-cancel": ("post", "booking", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:offer-accept": ("post", "offer", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:offer-decline": ("post", "offer", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:standing-list": ("get", None, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "groups:standing-join": ("post", "group", (LOGIN, 302, 302, 302, 302, 302, 302)),
    "groups:standing-pause": ("post", "place", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:standing-leave": ("post", "place", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:standing-keep": ("post", "place", (LOGIN, 302, 404, 404, 404, 404, 404)),
    "groups:session-list": ("get", None, (LOGIN, 403, 403, 200, 200, 200, 200)),
    "groups:session-roster": ("get", "session", (LOGIN, 403, 403, 200, 404, 404, 200)),
    "groups:attendance-mark": ("post", "booking", (LOGIN, 403, 403, 302, 404, 404, 302)),
    "groups:session-cancel": ("get", "session", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:session-move": ("get", "session", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-manage-list": ("get", None, (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-create": ("get", None, (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-edit": ("get", "group", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-archive": ("get", "group", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-delete": ("get", "group", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:schedule-preview": ("post", None, (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-places-edit": ("get", "group", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "groups:group-sessions": ("get", "group", (LOGIN, 403, 403, 403, 403, 403, 200)),
    "reports:groups:overview": ("get", None, (LOGIN, 403, 403, 403, 403, 403, 200)),
    "reports:groups:overview-csv": ("get", None, (LOGIN, 403, 403, 403, 403, 403, 200)),
}


def test_the_table_lists_every_groups_url():
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {
        f"groups:{n}"
        for n in resolver.namespace_dict["groups"][1].reverse_dict
        if isinstance(n, str)
    }
    reports = resolver.namespace_dict["reports"][1].namespace_dict["groups"][1]
    names |= {f"reports:groups:{n}" for n in reports.reverse_dict if isinstance(n, str)}
    names.discard("groups:booking-feed")  # public by secret token: tested below
    names.discard("groups:offer-respond")  # public by signed token: test_waitlist_offers.py
    assert names == set(TABLE)


@pytest.fixture
def world(member, staff):
    session = GroupSessionFactory(group__capacity=5)
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    # A full session starting soon whose freed seat is offered to the member.
    soon = GroupSessionFactory(
        group__capacity=1,
        group__cancellation_cutoff_hours=0,
        starts_at=timezone.now() + dt.timedelta(hours=3),
    )
    holder = services.booking_create(session=soon, member=UserFactory())
    services.booking_create(session=soon, member=member)
    services.booking_cancel(booking=holder, actor=holder.member)
    offer = WaitlistOffer.objects.get(session=soon)
    regular = SupportGroupFactory(
        standing_places_allowed=True, first_date=org_localdate(), horizon_weeks=2
    )
    services.group_sessions_generate(group=regular)
    place = standing.standing_place_join(group=regular, member=member, cadence="weekly")
    return {
        "group": session.group,
        "session": session,
        "booking": booking,
        "offer": offer,
        "place": place,
    }


@pytest.fixture
def clients(
    anonymous_client,
    member_client,
    other_member_client,
    staff_client,
    other_staff_client,
    supervisor_client,
    coordinator_client,
):
    return dict(
        zip(
            PERSONAS,
            (
                anonymous_client,
                member_client,
                other_member_client,
                staff_client,
                other_staff_client,
                supervisor_client,
                coordinator_client,
            ),
            strict=True,
        )
    )


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_persona_gets_what_the_table_says(name, world, clients):
    method, key, expected = TABLE[name]
    url = reverse(name, args=[world[key].pk] if key else [])
    data = {"attendance": "attended"} if name == "groups:attendance-mark" else {}
    for persona, want in zip(PERSONAS, expected, strict=True):
        client: Client = clients[persona]
        response = getattr(client, method)(url, data)
        if want == LOGIN:
            assert response.status_code == 302, f"{persona} at {name}"
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), persona
        else:
            assert response.status_code == want, f"{persona} at {name}: {response.status_code}"
            if want == 302:
                assert not response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("state", ["unpublished", "archived"])
def test_only_coordinators_and_its_facilitators_preview_a_hidden_group(state, world, clients):
    from django.utils import timezone

    group = world["group"]
    if state == "unpublished":
        group.is_published = False
    else:
        group.archived_at = timezone.now()
    group.save()
    url = reverse("groups:group-detail", args=[group.pk])
    expected = (404, 404, 404, 200, 404, 404, 200)
    for persona, want in zip(PERSONAS, expected, strict=True):
        response = clients[persona].get(url)
        assert response.status_code == want, f"{persona}: {response.status_code}"
        if want == 200:
            assert "Preview:" in response.content.decode()
            assert "Book a place" not in response.content.decode()


def test_the_feed_opens_with_its_token_only(anonymous_client, member, world):
    token = feed_token_for(user=member).token
    assert anonymous_client.get(reverse("groups:booking-feed", args=[token])).status_code == 200
    assert (
        anonymous_client.get(
            reverse("groups:booking-feed", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])
        ).status_code
        == 404
    )


def test_a_replaced_feed_token_stops_working(anonymous_client, member, world):
    from peerportal.accounts.services import feed_token_rotate

    old = feed_token_for(user=member).token
    feed_token_rotate(user=member)
    assert anonymous_client.get(reverse("groups:booking-feed", args=[old])).status_code == 404


def test_another_members_booking_id_is_404_even_for_htmx(other_member_client, world):
    response = other_member_client.post(
        reverse("groups:booking-cancel", args=[world["booking"].pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 404
    world["booking"].refresh_from_db()
    assert world["booking"].status == "confirmed"


def test_my_bookings_shows_the_private_feed_link_and_a_way_to_replace_it(member_client, member):
    page = member_client.get(reverse("groups:booking-list")).content.decode()
    token = feed_token_for(user=member).token
    assert reverse("groups:booking-feed", args=[token]) in page
    assert reverse("accounts:feed-token-rotate") in page
    member_client.post(reverse("accounts:feed-token-rotate"))
    assert token not in member_client.get(reverse("groups:booking-list")).content.decode()

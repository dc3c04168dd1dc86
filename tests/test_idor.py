"""IDOR: every object URL open to members or staff, tried by a second person of the same role.

Each such URL is either OWNED — the object belongs to someone, and another member or staff
member must get 403/404 — or SHARED, with the reason why anyone of that role may use it.
A new object URL that is in neither list fails ``test_every_object_url_is_classified``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import org_localdate
from tests.test_authorization_matrix import ALL_URLS, PUBLIC_URL_NAMES, required_role


def _booking(owner, other):
    from peerportal.groups import services
    from tests.groups.factories import GroupSessionFactory

    return {"pk": services.booking_create(session=GroupSessionFactory(), member=owner).pk}


def _facilitated_session(owner, other):
    from tests.groups.factories import GroupSessionFactory

    session = GroupSessionFactory()
    session.group.facilitators.add(owner)
    return {"pk": session.pk}


def _facilitated_booking(owner, other):
    from peerportal.groups import services
    from tests.factories import UserFactory
    from tests.groups.factories import GroupSessionFactory

    session = GroupSessionFactory()
    session.group.facilitators.add(owner)
    return {"pk": services.booking_create(session=session, member=UserFactory()).pk}


def _offer(owner, other):
    from peerportal.groups import services
    from peerportal.groups.models import WaitlistOffer
    from tests.factories import UserFactory
    from tests.groups.factories import GroupSessionFactory

    # A full session starting soon: the seat freed by the holder is offered to the owner.
    session = GroupSessionFactory(
        group__capacity=1,
        group__cancellation_cutoff_hours=0,
        starts_at=timezone.now() + dt.timedelta(hours=3),
    )
    holder = services.booking_create(session=session, member=UserFactory())
    services.booking_create(session=session, member=owner)
    services.booking_cancel(booking=holder, actor=holder.member)
    return {"pk": WaitlistOffer.objects.get(session=session).pk}


def _standing_place(owner, other):
    from peerportal.groups import services, standing
    from tests.groups.factories import SupportGroupFactory

    group = SupportGroupFactory(
        standing_places_allowed=True, first_date=org_localdate(), horizon_weeks=2
    )
    services.group_sessions_generate(group=group)
    return {"pk": standing.standing_place_join(group=group, member=owner, cadence="weekly").pk}


def _training_record(owner, other):
    from peerportal.certification import services

    record = services.training_record_submit(
        person=owner,
        course="C",
        provider="P",
        completed_on=org_localdate(),
        hours=Decimal(2),
        evidence=SimpleUploadedFile("c.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    record.status = "changes_requested"
    record.save(update_fields=["status"])
    return {"pk": record.pk}


def _pending_record(owner, other):
    """A record still waiting for review, which its owner may edit or withdraw."""
    from peerportal.certification import services

    record = services.training_record_submit(
        person=owner,
        course="C",
        provider="P",
        completed_on=org_localdate(),
        hours=Decimal(2),
    )
    return {"pk": record.pk}


def _person(owner, other):
    return {"pk": owner.pk}


def _assignment(owner, other):
    from peerportal.warmline import services
    from peerportal.warmline.models import Shift, WarmLine

    line = WarmLine.objects.create(name=f"IDOR line {owner.pk}")
    line.members.add(owner, other)
    start = timezone.now() + dt.timedelta(days=5)
    shift = Shift.objects.create(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    return {"pk": services.shift_sign_up(shift=shift, person=owner).pk}


def _call(owner, other):
    from peerportal.warmline import services
    from peerportal.warmline.models import WarmLine

    line = WarmLine.objects.create(name=f"IDOR calls {owner.pk}")
    return {
        "pk": services.call_record_create(
            author=owner,
            line=line,
            contact_type="call",
            started_at=timezone.now(),
            duration_minutes=5,
        ).pk
    }


def _training(facilitator):
    from peerportal.certification import selectors, services
    from peerportal.certification.demo import seed_credential_types
    from tests.factories import CoordinatorFactory

    seed_credential_types()
    return services.training_event_save(
        actor=CoordinatorFactory(),
        title="IDOR training",
        description="",
        provider=services.approved_provider_names()[0],
        held_on=selectors.local_today(),
        facilitator=facilitator,
        topic_hours={None: Decimal(2)},
    )


def _facilitated_training(owner, other):
    return {"pk": _training(owner).pk}


def _training_credit(owner, other):
    from peerportal.certification import services
    from tests.factories import StaffFactory

    facilitator = StaffFactory()
    event = _training(facilitator)
    services.training_attendee_add(actor=facilitator, event=event, person=owner)
    services.training_event_close(actor=facilitator, event=event)
    return {"pk": owner.training_credits.get().pk}


OWNED = {
    "groups:booking-cancel": ("member", _booking),
    "groups:offer-accept": ("member", _offer),
    "groups:offer-decline": ("member", _offer),
    "groups:standing-pause": ("member", _standing_place),
    "groups:standing-leave": ("member", _standing_place),
    "groups:standing-keep": ("member", _standing_place),
    "groups:session-roster": ("staff", _facilitated_session),
    "groups:attendance-mark": ("staff", _facilitated_booking),
    "certification:record-edit": ("staff", _training_record),
    "certification:evidence-download": ("staff", _training_record),
    "certification:record-detail": ("staff", _pending_record),
    "certification:record-withdraw": ("staff", _pending_record),
    "certification:transcript": ("staff", _person),
    "certification:transcript-csv": ("staff", _person),
    "warmline:shift-release": ("staff", _assignment),
    "warmline:swap-offer": ("staff", _assignment),
    "warmline:call-edit": ("staff", _call),
    "certification:training-attendance": ("staff", _facilitated_training),
    "certification:training-close": ("staff", _facilitated_training),
    "certification:training-certificate": ("staff", _training_credit),
}

SHARED = {
    "groups:booking-create": "a published session anyone signed in may book",
    "groups:standing-join": "a published group anyone signed in may join (the service checks it allows standing places)",
    "dropin:rsvp-create": "a published event anyone signed in may RSVP to",
    "dropin:rsvp-cancel": "acts only on the requester's own RSVP for the event",
    "dropin:event-attendance": "staff record a head count for a shared event",
    "dropin:tally-counter": "a location's anonymous visit counter, used by any staff member at the desk",
    "dropin:tally-tap": "a location's anonymous visit counter",
    "dropin:tally-undo": "undoes only the requester's own last tap (kept in their session)",
    "warmline:shift-sign-up": "an open shift any program member may take (the service checks eligibility)",
    "certification:training-register": "a training any staff member may register for; acts only on the requester's own place on its roster",
    "warmline:swap-take": "an open swap any qualified colleague may take (the service checks eligibility)",
}


def _object_urls():
    for param in ALL_URLS:
        name, url, callback = param.values
        if name in PUBLIC_URL_NAMES or "987654" not in url:
            continue
        if required_role(callback) in ("member", "staff"):
            yield name


def test_every_object_url_is_classified():
    unclassified = sorted(set(_object_urls()) - set(OWNED) - set(SHARED))
    assert not unclassified, (
        f"classify these in tests/test_idor.py (OWNED or SHARED): {unclassified}"
    )
    assert not set(OWNED) & set(SHARED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_person_of_the_same_role_cannot_reach_the_object(
    name,
    member,
    other_member,
    member_client,
    other_member_client,
    staff,
    other_staff,
    staff_client,
    other_staff_client,
):
    role, make = OWNED[name]
    owner, other, owner_client, intruder = (
        (member, other_member, member_client, other_member_client)
        if role == "member"
        else (staff, other_staff, staff_client, other_staff_client)
    )
    url = reverse(name, kwargs=make(owner, other))
    for response in (
        intruder.get(url),
        intruder.post(url, {"attendance": "no_show", "decision": "approved"}),
    ):
        assert response.status_code in (403, 404, 405), f"{name}: {response.status_code}"
    # The owner is not refused (the URL is real, so this test can fail).
    owner_get = owner_client.get(url)
    owner_status = (
        owner_get.status_code
        if owner_get.status_code != 405
        else owner_client.post(url).status_code
    )
    assert owner_status not in (403, 404), f"{name}: the owner got {owner_status}"

"""PreparedInsert writes the rows the ORM's save() and bulk_create() write, on both databases.

Each model it is used for is held to what it skips: no save() of its own that inserting
needs, and nothing listening to its saves.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from peerportal.core.audit import audit_record
from peerportal.core.models import AuditEvent
from peerportal.core.prepared import PreparedInsert
from peerportal.groups.models import Booking, BookingStatus
from peerportal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "created_at", "updated_at", "at"}  # the key, and times taken at the insert


def _stored(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    return {
        f.attname: getattr(fresh, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in SKIPPED
    }


@pytest.mark.parametrize("model", [Booking, AuditEvent, Reminder])
def test_the_models_it_writes_have_no_save_hooks_it_would_skip(model):
    assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
    # AuditEvent.save() only refuses to change a saved event; Booking and Reminder keep
    # Django's save().
    assert model is AuditEvent or model.save is models.Model.save


def test_a_booking_row_is_the_one_save_writes_and_gets_its_key():
    session, member, other = GroupSessionFactory(), UserFactory(), UserFactory()
    by_orm = Booking(session=session, member=member, status=BookingStatus.CONFIRMED, seat=1)
    by_orm.save(force_insert=True)
    prepared = Booking(session=session, member=other, status=BookingStatus.CONFIRMED, seat=2)
    PreparedInsert(Booking).insert([prepared])

    assert prepared.pk and prepared.pk != by_orm.pk
    assert not prepared._state.adding and prepared._state.db == "default"
    expected = _stored(by_orm) | {"member_id": other.pk, "seat": 2}
    assert _stored(prepared) == expected
    fresh = Booking.objects.get(pk=prepared.pk)
    assert fresh.created_at and fresh.updated_at  # auto_now_add and auto_now filled in


def test_a_broken_constraint_raises_integrity_error():
    session, member, other = GroupSessionFactory(), UserFactory(), UserFactory()
    PreparedInsert(Booking).insert(
        [Booking(session=session, member=member, status=BookingStatus.CONFIRMED, seat=1)]
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # the same seat twice
        PreparedInsert(Booking).insert(
            [Booking(session=session, member=other, status=BookingStatus.CONFIRMED, seat=1)]
        )


def test_an_audit_event_keeps_its_address_and_details():
    actor = UserFactory()

    class Request:
        META = {"REMOTE_ADDR": "2001:db8::7"}

    event = audit_record(
        actor=actor, action="test.thing", obj=actor, request=Request(), extra={"n": 2, "s": "x"}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.action, stored.object_type, stored.object_id) == (
        actor.pk,
        "test.thing",
        "accounts.user",
        str(actor.pk),
    )
    assert stored.ip == "2001:db8::7" and stored.extra == {"n": 2, "s": "x"}
    assert abs(stored.at - timezone.now()) < dt.timedelta(minutes=1)
    assert audit_record(actor=None, action="test.none").actor_id is None


def test_reminder_rows_match_bulk_create_and_a_repeat_is_ignored():
    from django.contrib.contenttypes.models import ContentType

    from tests.reminders import kinds

    member = UserFactory()
    booking_type = ContentType.objects.get_for_model(Booking)
    due = timezone.now() + dt.timedelta(days=2)

    def rows(target_id):
        return [
            Reminder(
                kind=kinds.NOTICE,
                target_type=booking_type,
                target_id=target_id,
                recipient=member,
                due_at=due + dt.timedelta(hours=h),
            )
            for h in (0, 1)
        ]

    Reminder.objects.bulk_create(rows(1), ignore_conflicts=True)
    insert = PreparedInsert(Reminder, ignore_conflicts=True)
    insert.insert(rows(2))
    insert.insert(rows(2))  # the same rows again: skipped, as ON CONFLICT DO NOTHING does

    def stored(target_id):
        return sorted(
            (tuple(v for k, v in _stored(r).items() if k != "target_id"))
            for r in Reminder.objects.filter(target_id=target_id)
        )

    assert len(stored(2)) == 2
    assert stored(2) == stored(1)


def test_fields_whose_sql_depends_on_the_value_are_refused(monkeypatch):
    seat = Booking._meta.get_field("seat")
    monkeypatch.setattr(seat, "get_placeholder", lambda *a: "point(%s)", raising=False)
    with pytest.raises(TypeError, match="seat"):
        PreparedInsert(Booking)

"""Training events the organization runs itself: roster, attendance, credit from attendance.

Closing a training's attendance is the facilitator's decision that each attending staff
member completed it. Each gets one ``TrainingCredit`` (their certificate of attendance) and
one approved ``TrainingRecord`` per topic line, each with an approving ``Review``
(``source=attendance``, reviewer = the person who closed it), audited as
``training_record.approved_from_attendance`` with the approver's id. The records count
toward credentials like any other approved record. Members never get records, even when
they are on the roster.

Closing twice — even at the same moment — produces the records once: the training row is
locked while closing, and a unique (training, person) constraint on credits backs it.

After closing, one correction is possible: the facilitator or a coordinator adds a late
attendee, who is credited at once (one more credit). Produced records are not withdrawn
here; reviews are append-only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization

from .. import exceptions
from ..models import (
    TRAINING_MAX_HOURS,
    TRAINING_MIN_HOURS,
    ApprovedProvider,
    Certification,
    RecordStatus,
    Review,
    ReviewDecision,
    ReviewSource,
    TrainingAttendee,
    TrainingCredit,
    TrainingEvent,
    TrainingEventTopic,
    TrainingRecord,
)
from ..permissions import can_manage_trainings, can_take_attendance

TRAINING_MAX_TOTAL_HOURS = Decimal(40)
TRAINING_MAX_DAYS_AWAY = 366  # a training is held within a year of today, either way
TITLE_MAX, DESCRIPTION_MAX = 200, 2000


def _today() -> dt.date:
    return timezone.localdate(timezone.now(), Organization.get().tzinfo)


def approved_provider_names() -> list[str]:
    """Providers approved by any credential type — a training's provider is one of them."""
    return sorted(set(ApprovedProvider.objects.values_list("name", flat=True)))


def training_event_problems(
    *, title, description, provider, held_on, facilitator, topic_hours
) -> dict[str, str]:
    """Every bound a training's details must keep, as {field: message} (empty when fine).

    ``topic_hours`` maps a CE topic (or ``None`` for elective hours) to hours. The form
    shows these messages per field; the service refuses on any of them.
    """
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = _("Please give the training a title.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _("Please keep the title to 200 characters.")
    if len(description or "") > DESCRIPTION_MAX:
        problems["description"] = _("Please keep the description to 2,000 characters.")
    if provider not in approved_provider_names():
        problems["provider"] = _("Please choose a provider from the approved list.")
    if held_on is None:
        problems["held_on"] = _("Please give the training's date.")
    elif abs((held_on - _today()).days) > TRAINING_MAX_DAYS_AWAY:
        problems["held_on"] = _("The date must be within a year of today.")
    if facilitator is None or not facilitator.is_active or not facilitator.is_staff_role:
        problems["facilitator"] = _("The facilitator must be a staff member.")
    try:
        hours = [Decimal(h) for h in topic_hours.values()]
    except (InvalidOperation, TypeError):
        hours = None
    if hours is None or any(h < TRAINING_MIN_HOURS or h > TRAINING_MAX_HOURS for h in hours):
        problems["hours"] = _("Each topic's hours must be between 0.25 and 40.")
    elif not hours:
        problems["hours"] = _("Please give the hours for at least one topic.")
    elif sum(hours, Decimal(0)) > TRAINING_MAX_TOTAL_HOURS:
        problems["hours"] = _("A training gives at most 40 hours in all.")
    return problems


def training_event_save(
    *,
    actor,
    title: str,
    description: str,
    provider: str,
    held_on: dt.date,
    facilitator,
    topic_hours: dict,
    event: TrainingEvent | None = None,
    request=None,
) -> TrainingEvent:
    """Create or edit a training (coordinators). A closed training is not edited."""
    if not can_manage_trainings(actor):
        raise exceptions.NotYourTraining
    problems = training_event_problems(
        title=title,
        description=description,
        provider=provider,
        held_on=held_on,
        facilitator=facilitator,
        topic_hours=topic_hours,
    )
    if problems:
        raise exceptions.TrainingInvalid(next(iter(problems.values())))
    with transaction.atomic():
        if event is None:
            event = TrainingEvent()
        else:
            event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
            if event.is_closed:
                raise exceptions.TrainingClosed
        created = event.pk is None
        event.title, event.description = title.strip(), description or ""
        event.provider, event.held_on, event.facilitator = provider, held_on, facilitator
        event.save()
        # Nobody approves their own attendance: the facilitator leaves the roster.
        event.attendees.filter(person=facilitator).delete()
        event.topic_hours.all().delete()
        TrainingEventTopic.objects.bulk_create(
            TrainingEventTopic(event=event, topic=topic, hours=Decimal(hours))
            for topic, hours in topic_hours.items()
        )
        audit_record(
            actor=actor,
            action="training_event.create" if created else "training_event.update",
            obj=event,
            request=request,
        )
    return event


def _check_attendee(event: TrainingEvent, person) -> None:
    if not (person.is_active and person.is_staff_role):
        raise exceptions.NotStaff
    if person.pk == event.facilitator_id:
        raise exceptions.TrainingInvalid(_("The facilitator is not on their own roster."))


def training_attendee_register(*, person, event: TrainingEvent, request=None) -> TrainingAttendee:
    """A staff member puts themselves on an open training's roster."""
    _check_attendee(event, person)
    with transaction.atomic():
        event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        if event.is_closed:
            raise exceptions.TrainingClosed
        attendee, created = TrainingAttendee.objects.get_or_create(event=event, person=person)
        if created:
            audit_record(actor=person, action="training_event.register", obj=event, request=request)
    return attendee


def training_attendee_withdraw(*, person, event: TrainingEvent, request=None) -> None:
    """A staff member takes themselves off an open training's roster."""
    with transaction.atomic():
        event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        if event.is_closed:
            raise exceptions.TrainingClosed
        deleted, _rows = TrainingAttendee.objects.filter(event=event, person=person).delete()
        if deleted:
            audit_record(actor=person, action="training_event.withdraw", obj=event, request=request)


def training_attendee_add(*, actor, event: TrainingEvent, person, request=None) -> TrainingAttendee:
    """The facilitator (or a coordinator) adds a staff member who came, marked present.

    On a closed training this is the late-attendee correction: the person is credited at
    once, exactly as closing would have (one more credit, never a second one).
    """
    if not can_take_attendance(actor, event):
        raise exceptions.NotYourTraining
    _check_attendee(event, person)
    with transaction.atomic():
        event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        attendee, _created = TrainingAttendee.objects.update_or_create(
            event=event, person=person, defaults={"attended": True}
        )
        if event.is_closed:
            if person.pk == actor.pk:
                raise exceptions.SelfReview
            if not TrainingCredit.objects.filter(event=event, person=person).exists():
                _credit(event=event, person=person, approver=actor, request=request)
                audit_record(
                    actor=actor,
                    action="training_event.late_attendee",
                    obj=event,
                    request=request,
                    extra={"person_id": person.pk},
                )
        else:
            audit_record(
                actor=actor,
                action="training_event.attendee_add",
                obj=event,
                request=request,
                extra={"person_id": person.pk},
            )
    return attendee


def training_attendance_record(*, actor, event: TrainingEvent, present_ids, request=None) -> int:
    """Mark who on the roster came (``present_ids``: person ids); the rest did not."""
    if not can_take_attendance(actor, event):
        raise exceptions.NotYourTraining
    present = {int(pk) for pk in present_ids}
    with transaction.atomic():
        event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        if event.is_closed:
            raise exceptions.TrainingClosed
        roster = TrainingAttendee.objects.filter(event=event)
        roster.filter(person_id__in=present).update(attended=True)
        roster.exclude(person_id__in=present).update(attended=False)
        count = roster.filter(attended=True).count()
        audit_record(
            actor=actor,
            action="training_event.attendance",
            obj=event,
            request=request,
            extra={"present": count},
        )
    return count


def _credit(*, event: TrainingEvent, person, approver, request=None) -> TrainingCredit:
    """One person's credit: the certificate row, an approved record per topic line, each
    with the approver's review, audited as approved from attendance. Inside the caller's
    transaction, with the training row locked."""
    from . import certification_schedule_reminders

    credit = TrainingCredit.objects.create(event=event, person=person, approved_by=approver)
    records = TrainingRecord.objects.bulk_create(
        TrainingRecord(
            person=person,
            course=event.title,
            provider=event.provider,
            completed_on=event.held_on,
            hours=line.hours,
            topic=line.topic,
            status=RecordStatus.APPROVED,
            credit=credit,
        )
        for line in event.topic_hours.select_related("topic")
    )
    Review.objects.bulk_create(
        Review(
            record=record,
            reviewer=approver,
            decision=ReviewDecision.APPROVE,
            source=ReviewSource.ATTENDANCE,
        )
        for record in records
    )
    audit_record(
        actor=approver,
        action="training_record.approved_from_attendance",
        obj=credit,
        request=request,
        extra={
            "event_id": event.pk,
            "approved_by": approver.pk,
            "record_ids": [r.pk for r in records],
        },
    )
    for cert in Certification.objects.filter(holder=person, issued_on__isnull=False):
        certification_schedule_reminders(certification=cert)
    return credit


def training_event_close(*, actor, event: TrainingEvent, request=None) -> int:
    """Close the attendance: credit every attending staff member; returns how many.

    Idempotent: a training already closed is left as it is and 0 is returned.
    """
    if not can_take_attendance(actor, event):
        raise exceptions.NotYourTraining
    try:
        with transaction.atomic():
            event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
            if event.is_closed:
                return 0
            if event.held_on > _today():
                raise exceptions.TrainingNotHeldYet
            attendees = list(
                TrainingAttendee.objects.creditable(event, actor)
                .select_related("person")
                .order_by("pk")
            )
            for attendee in attendees:
                _credit(event=event, person=attendee.person, approver=actor, request=request)
            event.closed_at, event.closed_by = timezone.now(), actor
            event.save(update_fields=["closed_at", "closed_by"])
            audit_record(
                actor=actor,
                action="training_event.close",
                obj=event,
                request=request,
                extra={"credited": len(attendees)},
            )
    except IntegrityError as exc:  # the unique (training, person) backstop
        raise exceptions.TrainingClosed from exc
    return len(attendees)

from __future__ import annotations

from peerportal.core.permissions import is_coordinator, supervises


def can_view_person(user, person) -> bool:
    """The person themselves, their supervisor, coordinators."""
    return user.pk == person.pk or supervises(user, person)


def can_review(user, record) -> bool:
    """Supervisors of the record's owner (coordinators: anyone) — never the owner."""
    return record.person_id != user.pk and supervises(user, record.person)


def can_view_evidence(user, record) -> bool:
    return user.pk == record.person_id or supervises(user, record.person)


def can_read_supervision_notes(user, session) -> bool:
    """Notes stay between the pair; coordinators see hours, not notes."""
    return user.pk in (session.staff_id, session.supervisor_id)


def can_issue(user) -> bool:
    return is_coordinator(user)


def can_manage_trainings(user) -> bool:
    """Coordinators create and edit the organization's training events."""
    return is_coordinator(user)


def can_take_attendance(user, event) -> bool:
    """The training's facilitator, and coordinators (when the facilitator is away)."""
    return user.pk == event.facilitator_id or is_coordinator(user)


def can_view_certificate(user, credit) -> bool:
    """The person credited, their supervisor and coordinators."""
    return user.pk == credit.person_id or supervises(user, credit.person)

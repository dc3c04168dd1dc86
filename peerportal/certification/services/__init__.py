"""State changes: records, reviews, supervision, issuing, expiry reminders and digests."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core import bounds
from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.recurrence import to_utc
from peerportal.reminders.services import (
    notify,
    reminder_schedule,
    reminders_cancel_for,
    reminders_schedule_before,
)

from .. import exceptions, rules
from ..evidence import check_evidence
from ..models import (
    Attestation,
    AuditOutcome,
    Certification,
    CredentialType,
    RecordStatus,
    Review,
    ReviewDecision,
    SupervisionSession,
    TrainingRecord,
)
from ..permissions import can_review

KIND_EXPIRING = "credential_expiring"
KIND_DECIDED = "training_reviewed"
KIND_DIGEST = "review_digest"
KIND_AUDIT = "credential_audit"


# --- bounds (core.bounds), shared by the forms and the services below ---------------------


def training_record_check_bounds(*, completed_on, hours, now=None) -> None:
    """Completed on a day that has happened and not before 1990; 0.25–120 hours."""
    checks = bounds.Checks()
    checks.run("completed_on", bounds.check_completed_on, completed_on, now=now)
    checks.run("hours", bounds.validate_training_hours, hours)
    checks.raise_any()


def supervision_check_bounds(*, date, hours, now=None) -> None:
    """A session that has happened, within the last year; 0.25–8 hours."""
    checks = bounds.Checks()
    checks.run("date", bounds.check_supervision_date, date, now=now)
    checks.run("hours", bounds.validate_supervision_hours, hours)
    checks.raise_any()


def certification_check_bounds(*, issued_on, expires_on, now=None) -> None:
    """Issued on a past day since 1990; a printed expiry after issue, within ten years."""
    checks = bounds.Checks()
    checks.run("issued_on", bounds.check_completed_on, issued_on, now=now)
    checks.run("expires_on", bounds.check_certificate_dates, issued_on, expires_on)
    checks.raise_any()


def training_record_submit(*, person, evidence=None, request=None, **fields) -> TrainingRecord:
    """Submit a record for review; evidence is checked by content, size and name."""
    record = TrainingRecord(person=person, **fields)
    with bounds.enforced(exceptions.CertificationError):
        training_record_check_bounds(completed_on=record.completed_on, hours=record.hours)
    with transaction.atomic():
        if evidence is not None:
            record.evidence_name = check_evidence(evidence)
            record.evidence = evidence
        record.full_clean(exclude=["evidence"])
        record.save()
        audit_record(actor=person, action="training_record.submit", obj=record, request=request)
    return record


def _lock_own_open_record(person, record: TrainingRecord) -> TrainingRecord:
    """The owner's record, row-locked, while it is not decided yet. Locked: a supervisor
    deciding at the same moment sees either the old or the new details, never a record
    changed after its decision."""
    if record.person_id != person.pk:
        raise exceptions.NotYourRecord
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    if not record.owner_can_change:
        raise exceptions.RecordClosed
    return record


def training_record_resubmit(
    *, person, record: TrainingRecord, evidence=None, request=None, **fields
) -> TrainingRecord:
    """The owner edits a record that is not decided yet.

    After changes were requested, the edit sends it back for review; a record still
    waiting for review stays in the queue with the corrected details. Decided and
    withdrawn records cannot change.
    """
    with transaction.atomic():
        record = _lock_own_open_record(person, record)
        was = record.status
        for name, value in fields.items():
            setattr(record, name, value)
        with bounds.enforced(exceptions.CertificationError):
            training_record_check_bounds(completed_on=record.completed_on, hours=record.hours)
        if evidence is not None:
            record.evidence_name = check_evidence(evidence)
            record.evidence = evidence
        record.status = RecordStatus.SUBMITTED
        record.full_clean(exclude=["evidence"])
        record.save()
        audit_record(
            actor=person,
            action=(
                "training_record.resubmit"
                if was == RecordStatus.CHANGES_REQUESTED
                else "training_record.edit"
            ),
            obj=record,
            request=request,
        )
    return record


def training_record_withdraw(*, person, record: TrainingRecord, request=None) -> TrainingRecord:
    """The owner withdraws a record not decided yet; it leaves the reviewers' queue.

    The record is kept (withdrawn is a state, like a decision) so the history stays whole.
    """
    with transaction.atomic():
        record = _lock_own_open_record(person, record)
        record.status = RecordStatus.WITHDRAWN
        record.save(update_fields=["status"])
        audit_record(actor=person, action="training_record.withdraw", obj=record, request=request)
    return record


def training_record_review(
    *, reviewer, record: TrainingRecord, decision: str, comment: str = "", request=None
) -> Review:
    """Approve, reject or request changes; the owner is told; the decision is kept for good."""
    if record.person_id == reviewer.pk:
        raise exceptions.SelfReview
    if not can_review(reviewer, record):
        raise exceptions.NotYourTeam
    if decision not in ReviewDecision.values:
        raise exceptions.CertificationError
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if record.status != RecordStatus.SUBMITTED:
            raise exceptions.AlreadyDecided
        record.status = decision
        record.save(update_fields=["status"])
        review = Review.objects.create(
            record=record, reviewer=reviewer, decision=decision, comment=comment
        )
        audit_record(
            actor=reviewer,
            action=f"training_record.{decision}",
            obj=record,
            request=request,
            extra={"review_id": review.pk},
        )
        notify(kind=KIND_DECIDED, target=review, recipient=record.person)
        if decision == RecordStatus.APPROVED:
            for cert in Certification.objects.filter(holder=record.person, issued_on__isnull=False):
                certification_schedule_reminders(certification=cert)
    return review


def supervision_log(
    *, supervisor, staff, date, hours, notes: str = "", request=None
) -> SupervisionSession:
    if supervisor.pk == staff.pk:
        raise exceptions.SelfReview(_("Nobody can log supervision of themselves."))
    if not can_review(supervisor, TrainingRecord(person=staff)):
        raise exceptions.NotYourTeam
    with bounds.enforced(exceptions.CertificationError):
        supervision_check_bounds(date=date, hours=hours)
    with transaction.atomic():
        session = SupervisionSession.objects.create(
            staff=staff, supervisor=supervisor, date=date, hours=hours, notes=notes
        )
        audit_record(actor=supervisor, action="supervision.log", obj=session, request=request)
    return session


def certification_issue(
    *,
    actor,
    holder,
    credential_type: CredentialType,
    issued_on: dt.date,
    number: str = "",
    expires_on: dt.date | None = None,
    request=None,
) -> Certification:
    """Record that a credential was issued (or renewed by the issuing body).

    ``expires_on`` is the date printed on the certificate, if any; empty means the
    expiry is computed from the credential's cycle.
    """
    with bounds.enforced(exceptions.CertificationError):
        certification_check_bounds(issued_on=issued_on, expires_on=expires_on)
    with transaction.atomic():
        cert, _created = Certification.objects.select_for_update().get_or_create(
            holder=holder, credential_type=credential_type
        )
        cert.issued_on, cert.number = issued_on, number or cert.number
        cert.expires_on = expires_on
        cert.save()
        audit_record(actor=actor, action="certification.issue", obj=cert, request=request)
        certification_schedule_reminders(certification=cert)
    return cert


def certification_start_training(
    *, actor, holder, credential_type: CredentialType, request=None
) -> Certification:
    with transaction.atomic():
        cert, _created = Certification.objects.get_or_create(
            holder=holder, credential_type=credential_type
        )
        audit_record(actor=actor, action="certification.start", obj=cert, request=request)
    return cert


def _standing(cert: Certification, on: dt.date):
    from ..selectors import certification_standing

    return certification_standing(cert, on)


def certification_schedule_reminders(*, certification: Certification) -> None:
    """Expiry reminders (90/60/30/7 days by default) to the holder and their supervisor."""
    tz = Organization.get().tzinfo
    today = timezone.localdate(timezone.now(), tz)
    standing = _standing(certification, today)
    reminders_cancel_for(target=certification, kinds=[KIND_EXPIRING])
    if standing.expires_on is None or standing.status == rules.Status.LAPSED:
        return
    expires_at = to_utc(standing.expires_on, dt.time(9), tz)
    recipients = [certification.holder]
    if certification.holder.supervisor_id:
        recipients.append(certification.holder.supervisor)
    for person in recipients:
        reminders_schedule_before(
            kind=KIND_EXPIRING, target=certification, recipient=person, starts_at=expires_at
        )


def review_digest_send(*, now: dt.datetime | None = None) -> int:
    """Weekly: each supervisor with pending reviews gets one digest (idempotent per week)."""
    from peerportal.accounts.models import User

    from ..selectors import review_queue_for

    now = now or timezone.now()
    week_start = (now - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    sent = 0
    for supervisor in User.objects.supervisors():
        if review_queue_for(supervisor).exists():
            reminder_schedule(
                kind=KIND_DIGEST, target=supervisor, recipient=supervisor, due_at=week_start
            )
            sent += 1
    return sent


def certification_attest(*, holder, certification: Certification, request=None) -> Attestation:
    """The holder attests that their records for the current cycle are true and complete."""
    if certification.holder_id != holder.pk:
        raise exceptions.NotYourTeam(_("Only the holder can attest for their credential."))
    if not certification.credential_type.attestation_required:
        raise exceptions.CertificationError(_("This credential does not ask for an attestation."))
    tz = Organization.get().tzinfo
    with transaction.atomic():
        cert = Certification.objects.select_for_update().get(pk=certification.pk)
        standing = _standing(cert, timezone.localdate(timezone.now(), tz))
        if standing.cycle is None or standing.status == rules.Status.LAPSED:
            raise exceptions.CertificationError(_("There is no current cycle to attest for."))
        attestation, created = Attestation.objects.get_or_create(
            certification=cert, cycle_end=standing.cycle.end
        )
        if created:
            audit_record(
                actor=holder,
                action="certification.attest",
                obj=attestation,
                request=request,
                extra={"certification_id": cert.pk},
            )
    return attestation


def attestation_audit_select(*, actor, attestation: Attestation, request=None) -> Attestation:
    """A coordinator selects an attestation for audit; the holder is told."""
    from peerportal.core.permissions import is_coordinator

    if not is_coordinator(actor) or attestation.certification.holder_id == actor.pk:
        raise exceptions.NotYourTeam
    with transaction.atomic():
        att = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if att.audit != AuditOutcome.NOT_SELECTED:
            raise exceptions.AlreadyDecided
        att.audit = AuditOutcome.SELECTED
        att.save(update_fields=["audit"])
        audit_record(actor=actor, action="attestation.audit_select", obj=att, request=request)
        notify(kind=KIND_AUDIT, target=att, recipient=att.certification.holder)
    return att


def attestation_audit_decide(
    *, actor, attestation: Attestation, passed: bool, comment: str = "", request=None
) -> Attestation:
    """Record the audit's outcome; a failed audit means the attestation no longer counts."""
    from peerportal.core.permissions import is_coordinator

    if not is_coordinator(actor) or attestation.certification.holder_id == actor.pk:
        raise exceptions.NotYourTeam
    if not passed and not comment.strip():
        raise exceptions.CertificationError(_("Please say why the audit failed."))
    with transaction.atomic():
        att = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if att.audit != AuditOutcome.SELECTED:
            raise exceptions.AlreadyDecided
        att.audit = AuditOutcome.PASSED if passed else AuditOutcome.FAILED
        att.audit_comment = comment
        att.audited_at = timezone.now()
        att.save(update_fields=["audit", "audit_comment", "audited_at"])
        audit_record(
            actor=actor,
            action=f"attestation.audit_{att.audit}",
            obj=att,
            request=request,
            extra={"certification_id": att.certification_id},
        )
        notify(kind=KIND_AUDIT, target=att, recipient=att.certification.holder)
    return att


from .training import (  # noqa: E402, F401 — training services use the helpers above
    approved_provider_names,
    training_attendance_record,
    training_attendee_add,
    training_attendee_register,
    training_attendee_withdraw,
    training_event_close,
    training_event_problems,
    training_event_save,
)


def training_record_import(
    *,
    actor,
    person,
    completed_on: dt.date,
    course: str,
    provider: str,
    hours_by_topic: dict,
    request=None,
) -> list[TrainingRecord]:
    """Record training from the organization's own logs (a coordinator's import).

    One record per topic (``None`` is elective hours) for the same person, date and course;
    an existing record of that topic gets the new hours and provider, missing ones are
    created. Records made here are approved by the importing coordinator (a Review, so the
    decision is kept like any other); nobody imports their own. Nothing is deleted.
    """
    from peerportal.core.permissions import is_coordinator

    if not is_coordinator(actor) or person.pk == actor.pk:
        raise exceptions.NotYourTeam
    touched = []
    with transaction.atomic():
        existing = {
            r.topic_id: r
            for r in TrainingRecord.objects.select_for_update().filter(
                person=person, completed_on=completed_on, course=course
            )
        }
        for topic, hours in hours_by_topic.items():
            record = existing.get(topic.pk if topic else None)
            if record is None:
                record = TrainingRecord(
                    person=person,
                    completed_on=completed_on,
                    course=course,
                    provider=provider,
                    hours=hours,
                    topic=topic,
                    status=RecordStatus.APPROVED,
                )
                record.full_clean(exclude=["evidence"])
                record.save()
                Review.objects.create(
                    record=record, reviewer=actor, decision=ReviewDecision.APPROVE
                )
                action = "training_record.import_create"
            elif record.hours != hours or record.provider != provider:
                record.hours, record.provider = hours, provider
                record.full_clean(exclude=["evidence"])
                record.save(update_fields=["hours", "provider"])
                action = "training_record.import_update"
            else:
                continue
            audit_record(actor=actor, action=action, obj=record, request=request)
            touched.append(record)
        for record in existing.values():
            if record.provider != provider and record not in touched:
                record.provider = provider
                record.save(update_fields=["provider"])
                audit_record(
                    actor=actor, action="training_record.import_update", obj=record, request=request
                )
    return touched

"""Standings and progress: each certification's status from its rules and records, in bulk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Sum, Window
from django.utils import timezone

from peerportal.core.models import Organization

from .. import rules, statements
from ..models import (
    Attestation,
    AuditOutcome,
    Certification,
    RecordStatus,
    SupervisionSession,
    TopicRequirement,
    TrainingRecord,
)
from .rule_rows import CertificationRow, _approved_rule_rows, _certifications_with_rules


def local_today() -> dt.date:
    return timezone.localdate(timezone.now(), Organization.get().tzinfo)


def approved_records(person) -> list[TrainingRecord]:
    return list(TrainingRecord.objects.filter(person=person, status=RecordStatus.APPROVED))


def certification_standing(
    cert: Certification, on: dt.date, records=None, attested=None, requirements=None
) -> rules.Standing:
    """The one place a certification's status is computed from its rules and records.

    ``records`` (the holder's approved records), ``attested`` (cycle ends attested and
    not failed at audit) and ``requirements`` (the credential's topic requirements) may be
    passed in when already loaded, as ``standings_by_person`` does.
    """
    ctype = cert.credential_type
    if records is None:
        records = approved_records(cert.holder_id)
    if attested is None:
        attested = frozenset(
            Attestation.objects.filter(certification=cert)
            .exclude(audit=AuditOutcome.FAILED)
            .values_list("cycle_end", flat=True)
        )
    if requirements is None:
        requirements = list(ctype.topic_requirements.all())
    return rules.standing(
        ctype,
        requirements,
        cert.issued_on,
        records,
        on,
        expires_on=cert.expires_on,
        attested=attested,
    )


def certifications_of_people(people):
    return (
        Certification.objects.filter(holder__in=people)
        .select_related("credential_type")
        .prefetch_related(
            Prefetch(
                "credential_type__topic_requirements",
                queryset=TopicRequirement.objects.select_related("topic"),
            )
        )
        .prefetch_related("credential_type__approved_providers")
        .prefetch_related("attestations")
        .order_by("credential_type__name", "pk")
    )


def standings_for(person, on: dt.date | None = None) -> list[dict]:
    """Each of the person's certifications with its status and progress."""
    return standings_by_person([person], on)[person.pk]


def supervised_hours_by_person(ids) -> dict[int, Decimal]:
    return dict(
        SupervisionSession.objects.filter(staff__in=ids)
        .values_list("staff")
        .annotate(h=Sum("hours"))
        .values_list("staff", "h")
    )


def recent_supervision_with_total(person, n: int = 20) -> tuple[list[tuple], Decimal]:
    """The person's ``n`` latest supervision sessions as ``(date, hours, notes)`` rows,
    newest first, and the hours of all their sessions, from one query (the total is a
    window sum over every session, computed before the limit). On PostgreSQL the statement
    is written out once (the ORM took ≈ 1,500 Python calls building it, for a page that
    shows 20 lines); other databases take the ORM."""
    if connection.vendor == "postgresql":
        sql = statements.supervision()
        with connection.cursor() as cursor:
            cursor.execute(sql, [person.pk, n])
            rows = cursor.fetchall()
        total = rows[0][3] if rows else None
        return [row[:3] for row in rows], total or Decimal("0")
    rows = list(
        SupervisionSession.objects.filter(staff=person)
        .order_by("-date", "-id")
        .annotate(total=Window(Sum("hours")))
        .values_list("date", "hours", "notes", "total")[:n]
    )
    total = rows[0][3] if rows else None
    return [row[:3] for row in rows], total or Decimal("0")


def standings_by_person(
    people,
    on: dt.date | None = None,
    *,
    hours: dict[int, Decimal] | None = None,
    records: dict[int, list[TrainingRecord]] | None = None,
    initial: bool = True,
) -> dict[int, list[dict]]:
    """Standings for many people at once, in a fixed number of queries (team pages).

    ``hours`` (supervised hours per person id) and ``records`` (approved records per person
    id) may be given when the caller has already loaded them. ``initial=False``: pages
    that show each credential's status, not initial-training progress, get rows without
    ``"initial"`` (and need no supervised hours).
    """
    return standings_by_ids(
        [p.pk for p in people], on, hours=hours, records=records, initial=initial
    )


def standings_by_ids(
    ids: list[int],
    on: dt.date | None = None,
    *,
    hours: dict[int, Decimal] | None = None,
    records: dict[int, list[TrainingRecord]] | None = None,
    initial: bool = True,
) -> dict[int, list[dict]]:
    """``standings_by_person`` for people known by their ids."""
    on = on or local_today()
    certs: dict[int, list[CertificationRow]] = {pk: [] for pk in ids}
    loaded = _certifications_with_rules(ids)
    for cert in loaded:
        certs[cert.holder_id].append(cert)
    if records is None:
        records = _approved_rule_rows(ids) if loaded else {pk: [] for pk in ids}
    if hours is None and initial:
        hours = supervised_hours_by_person(ids) if loaded else {}
    requirements = _requirements_by_type(loaded)
    out: dict[int, list[dict]] = {}
    for pk in ids:
        rows = []
        for cert in certs[pk]:
            ctype = cert.credential_type
            standing = certification_standing(
                cert, on, records[pk], cert.attested, requirements[cert.credential_type_id]
            )
            row = {
                "certification": cert,
                "standing": standing,
                "status_label": rules.STATUS_LABELS[standing.status],
                "days_to_expiry": standing.days_to_expiry(on),
                "can_attest": bool(
                    ctype.attestation_required
                    and standing.cycle is not None
                    and standing.status in (rules.Status.EXPIRING, rules.Status.IN_GRACE)
                    and standing.cycle.end not in cert.attestation_ends
                ),
            }
            if initial:
                row["initial"] = rules.initial_progress(
                    ctype, records[pk], hours.get(pk) or Decimal("0")
                )
            rows.append(row)
        out[pk] = rows
    return out


def _requirements_by_type(certs) -> dict[int, list]:
    """The topic requirements of each credential type of ``certs`` (loaded with their
    rules), read once a type, not once a certification."""
    requirements: dict[int, list] = {}
    for cert in certs:
        if cert.credential_type_id not in requirements:
            requirements[cert.credential_type_id] = list(
                cert.credential_type.topic_requirements.all()
            )
    return requirements


def current_cycles_by_ids(ids: list[int], on: dt.date) -> dict[int, list[tuple]]:
    """Each person's certifications as ``(credential name, current cycle)`` pairs, in the
    standings' order (the cycle ``standings_by_ids`` reports, None in training): the same
    queries, without weighing any current cycle's hours (``rules.current_cycle``). For the
    review queue's date checks, which read the cycles only."""
    out: dict[int, list[tuple]] = {pk: [] for pk in ids}
    certs = _certifications_with_rules(ids)
    if not certs:
        return out
    records = _approved_rule_rows(ids)
    requirements = _requirements_by_type(certs)
    for cert in certs:
        ctype = cert.credential_type
        cycle = rules.current_cycle(
            ctype,
            requirements[cert.credential_type_id],
            cert.issued_on,
            records[cert.holder_id],
            on,
            expires_on=cert.expires_on,
            attested=cert.attested,
        )
        out[cert.holder_id].append((ctype.name, cycle))
    return out

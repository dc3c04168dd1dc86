"""A person's training records as lists and rows: review notes, applicability, pending hours."""

from __future__ import annotations

from collections import namedtuple
from decimal import Decimal

from django.db import connection
from django.shortcuts import get_object_or_404

from .. import rules, statements
from ..models import OWNER_EDITABLE, RecordStatus, TrainingRecord
from ..statements import RULE_FIELDS
from ._shared import raise_404
from .rule_rows import RuleRow


def record_list_for(user, person=None):
    person = person or user
    return (
        TrainingRecord.objects.filter(person=person)
        .select_related("topic")
        .prefetch_related("reviews")
    )


def evidence_record_get_for(user, pk: int) -> TrainingRecord:
    """A record with evidence the user may read; anyone else gets 404 (existence hidden)."""
    from ..permissions import can_view_evidence

    record = get_object_or_404(
        TrainingRecord.objects.select_related("person").exclude(evidence=""), pk=pk
    )
    if not can_view_evidence(user, record):
        raise_404()
    return record


def record_get_own(user, pk: int) -> TrainingRecord:
    return get_object_or_404(TrainingRecord, pk=pk, person=user)


def records_in_play(person) -> tuple[list[TrainingRecord], list[TrainingRecord]]:
    """The person's approved records and those still open (waiting or changes requested)."""
    approved, pending = [], []
    for record in TrainingRecord.objects.filter(
        person=person,
        status__in=[
            RecordStatus.APPROVED,
            RecordStatus.SUBMITTED,
            RecordStatus.CHANGES_REQUESTED,
        ],
    ):
        (approved if record.status == RecordStatus.APPROVED else pending).append(record)
    return approved, pending


class ListedRecord(namedtuple("ListedRecord", (*RULE_FIELDS, "evidence", "topic_name"))):
    """A training record as "my training" lists it (and the rules read it): a light row
    instead of a model instance, with the record's two list properties. ``evidence`` is
    the stored file's name ("" for none), ``topic_name`` the topic's (None: elective)."""

    __slots__ = ()

    @property
    def status_label(self):
        return RecordStatus(self.status).label

    @property
    def owner_can_change(self) -> bool:
        return self.status in OWNER_EDITABLE


def records_all_of(
    person,
) -> tuple[list[ListedRecord], list[ListedRecord], list[ListedRecord]]:
    """All of the person's records newest first (``ListedRecord``s, with their topics'
    names), and of those the approved ones and those still open, from one query: the
    progress page lists every record (paged) and computes standings and pending hours from
    the same rows. On PostgreSQL the statement is written out once (the ORM took ≈ 2,000
    Python calls building it and ≈ 1,000 more making model instances); other databases take
    the ORM, for the same rows."""
    new = tuple.__new__
    if connection.vendor == "postgresql":
        sql = statements.records_of_person()
        with connection.cursor() as cursor:
            cursor.execute(sql, [person.pk])
            records = [new(ListedRecord, row) for row in cursor.fetchall()]
    else:
        records = [
            new(ListedRecord, row)
            for row in TrainingRecord.objects.filter(person=person)
            .order_by("-completed_on", "-id")
            .values_list(*RULE_FIELDS, "evidence", "topic__name")
        ]
    approved = [r for r in records if r.status == RecordStatus.APPROVED]
    pending = [
        r for r in records if r.status in (RecordStatus.SUBMITTED, RecordStatus.CHANGES_REQUESTED)
    ]
    return records, approved, pending


def review_notes_by_record(ids) -> dict[int, list[tuple[str, str]]]:
    """What the record list shows of each decision on the records ``ids``, as ``(source,
    comment)`` pairs, oldest first, by record id. One statement written out once, the same
    on every database (whole numbers and text: nothing to convert); the ORM took ≈ 1,500
    Python calls building it, and a prefetch of Review rows cost more to set up than to run."""
    from ..models import Review

    notes: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    if not notes:
        return notes
    v = Review._meta
    names = {f: v.get_field(f).column for f in ("record", "source", "comment", "decided_at")}
    placeholders = ", ".join(["%s"] * len(notes))
    sql = f"""
        SELECT v."{names["record"]}", v."{names["source"]}", v."{names["comment"]}"
        FROM "{v.db_table}" v WHERE v."{names["record"]}" IN ({placeholders})
        ORDER BY v."{names["decided_at"]}", v."{v.pk.column}"
    """  # noqa: S608 — names from the model; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, list(notes))
        for record_id, source, comment in cursor.fetchall():
            notes[record_id].append((source, comment))
    return notes


def _light_rows(records) -> list:
    """Records as ``RuleRow``s (what the rules read), made once: the applicability of
    each record to each credential reads every approved record, and ``pk`` on a model
    instance is a property (two calls a read)."""
    return [
        r
        if isinstance(r, tuple)  # a RuleRow or a ListedRecord already
        else RuleRow(
            r.pk,
            r.person_id,
            r.status,
            r.completed_on,
            r.hours,
            r.topic_id,
            r.is_initial_training,
            r.credit_requested,
            r.provider,
            r.course,
            r.credit_id,
        )
        for r in records
    ]


def _credentials_with_requirements(standings) -> list[tuple]:
    """Each standing's certification and its credential's topic requirements, read once
    (not once a record)."""
    return [
        (row["certification"], list(row["certification"].credential_type.topic_requirements.all()))
        for row in standings
    ]


def _applicability(record, cert, requirements, approved) -> rules.Applicability:
    return rules.applicability(
        record,
        cert.credential_type,
        requirements,
        approved,
        cert.issued_on,
        expires_on=cert.expires_on,
    )


def applicability_by_record(records, standings, approved) -> dict[int, list[dict]]:
    """For each record, each of its owner's credentials with whether and why it counts.

    ``standings`` are the owner's rows from ``standings_by_person`` (their certifications
    come with the rules prefetched), ``approved`` the owner's approved records: no queries.
    """
    approved = _light_rows(approved)
    judges = [
        (
            cert.credential_type,
            rules.Applicabilities(
                cert.credential_type,
                requirements,
                approved,
                cert.issued_on,
                expires_on=cert.expires_on,
            ),
        )
        for cert, requirements in _credentials_with_requirements(standings)
    ]
    return {
        record.pk: [{"credential": ctype, "result": judge(record)} for ctype, judge in judges]
        for record in records
    }


def add_pending_hours(standings, pending, approved) -> None:
    """Each standing row gets ``pending_hours``: hours waiting for review that would count
    toward its current requirements once approved (CE in the current cycle; initial
    training while in training)."""
    approved = _light_rows(approved)
    for row, (cert, requirements) in zip(
        standings, _credentials_with_requirements(standings), strict=True
    ):
        cycle = row["standing"].cycle
        total = Decimal("0")
        for record in pending:
            result = _applicability(record, cert, requirements, approved)
            if not result.counts:
                continue
            in_training = record.is_initial_training and cycle is None
            this_cycle = cycle is not None and result.cycle is not None
            if in_training or (this_cycle and result.cycle.start == cycle.start):
                total += record.hours
        row["pending_hours"] = total

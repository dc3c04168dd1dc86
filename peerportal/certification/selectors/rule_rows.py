"""Light rows the rules read, loaded in bulk: approved records, certifications and their types."""

from __future__ import annotations

import json
from collections import namedtuple
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, Subquery, prefetch_related_objects

from .. import statements
from ..models import (
    ApprovedProvider,
    Attestation,
    AuditOutcome,
    Certification,
    CETopic,
    CredentialType,
    RecordStatus,
    TopicRequirement,
    TrainingRecord,
)
from ..statements import RULE_FIELDS

#: A light approved record (what ``values_list(*RULE_FIELDS, named=True)`` gives).
RuleRow = namedtuple("RuleRow", RULE_FIELDS)


def _approved_rule_rows(ids) -> dict[int, list]:
    """The people's approved records that the rules can count, as light rows (named tuples
    of ``RULE_FIELDS``): the rules read attributes only, and a team page has hundreds of
    records. See ``approved_rows_and_pending_counts`` for which records those are."""
    return approved_rows_and_pending_counts(ids, pending=False)[0]


def approved_rows_and_pending_counts(
    ids, *, pending: bool = True
) -> tuple[dict[int, list], dict[int, int]]:
    """The people's approved records that the rules can count, as light rows
    (``RuleRow``), and how many records each has waiting for review, from one query.

    The rules count continuing education only inside a cycle, and every cycle starts on or
    after its certification's issue date, so CE records completed before the person's first
    issue date are left out (most of a long-serving person's records); initial training
    counts whenever it was done and is always kept. The waiting records are counted in
    the database, not loaded.
    """
    if connection.vendor != "postgresql":
        return _approved_rows_and_pending_counts_orm(ids, pending)
    out: dict[int, list] = {pk: [] for pk in ids}
    waiting: dict[int, int] = {}
    sql = statements.approved_rows(pending)
    params = [list(ids), RecordStatus.APPROVED.value, list(ids)]
    if pending:
        params += [RecordStatus.SUBMITTED.value, list(ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    new, approved = tuple.__new__, RecordStatus.APPROVED.value
    for row in rows:
        if row[2] == approved:
            out[row[1]].append(new(RuleRow, row))
        else:  # a count of waiting records: (None, person, status, None …, count)
            waiting[row[1]] = row[-1]
    return out, waiting


def _approved_rows_and_pending_counts_orm(ids, pending: bool):
    """``approved_rows_and_pending_counts`` through the ORM, for databases other than
    PostgreSQL (SQLite: ``make run``, local tests): the same rows, and the waiting records'
    statuses only (counted here)."""
    first_issue = (
        Certification.objects.filter(holder=OuterRef("person_id"), issued_on__isnull=False)
        .order_by("issued_on")
        .values("issued_on")[:1]
    )
    countable = Q(status=RecordStatus.APPROVED) & (
        Q(is_initial_training=True) | Q(completed_on__gte=Subquery(first_issue))
    )
    wanted = countable | Q(status=RecordStatus.SUBMITTED) if pending else countable
    out: dict[int, list] = {pk: [] for pk in ids}
    waiting: dict[int, int] = {}
    rows = (
        TrainingRecord.objects.filter(wanted, person__in=ids).order_by().values_list(*RULE_FIELDS)
    )
    new = tuple.__new__
    for row in rows:
        if row[2] == RecordStatus.APPROVED:
            out[row[1]].append(new(RuleRow, row))
        else:
            waiting[row[1]] = waiting.get(row[1], 0) + 1
    return out, waiting


class CertificationRow:
    """What the standings read of a certification (``standings_by_person``): a light row
    instead of a model instance. ``credential_type`` is shared by every row of that type."""

    __slots__ = (
        "pk",
        "holder_id",
        "credential_type_id",
        "credential_type",
        "issued_on",
        "expires_on",
        "attested",
        "attestation_ends",
    )

    def __init__(self, pk, holder_id, credential_type_id, issued_on, expires_on, ok, ends):
        self.pk = pk
        self.holder_id = holder_id
        self.credential_type_id = credential_type_id
        self.issued_on = issued_on
        self.expires_on = expires_on
        # Cycle ends attested and not failed at audit; every attested cycle end.
        self.attested = frozenset(ok)
        self.attestation_ends = frozenset(ends)

    @property
    def id(self):
        return self.pk


def _with_prefetched(model, objs):
    """A queryset of ``model`` holding ``objs`` as if prefetched (what ``.all()`` returns
    on a related manager whose prefetch cache is set)."""
    qs = model._default_manager.all()
    qs._result_cache = objs
    qs._prefetch_done = True
    return qs


def _certifications_with_rules(ids) -> list[CertificationRow]:
    """The people's certifications as light rows with their attestations, each credential
    type loaded once (shared by every certification of that type) with its topic
    requirements and approved providers, all in one query.

    Attestations and providers are read for every certification (only some credentials
    use them): a page's query count must not depend on which credentials its people hold.
    The statement is PostgreSQL's (arrays, json_agg); other databases take the ORM path.
    """
    if connection.vendor != "postgresql":
        return _certifications_with_rules_orm(ids)
    sql, type_fields = statements.certifications()
    with connection.cursor() as cursor:
        cursor.execute(sql, [AuditOutcome.FAILED.value, list(ids)])
        rows = cursor.fetchall()
    types: dict[int, CredentialType] = {}
    certs = []
    for pk, holder_id, issued_on, expires_on, ok, ends, reqs, provs, *type_values in rows:
        type_id = type_values[0]
        ctype = types.get(type_id)
        if ctype is None:
            ctype = types[type_id] = _credential_type(type_fields, type_values, reqs, provs)
        cert = CertificationRow(pk, holder_id, type_id, issued_on, expires_on, ok, ends)
        cert.credential_type = ctype
        certs.append(cert)
    return certs


def _certifications_with_rules_orm(ids) -> list[CertificationRow]:
    """``_certifications_with_rules`` through the ORM (four queries), for databases other
    than PostgreSQL (SQLite: ``make run``, local tests): the same rows, in the same order."""
    certs = list(
        Certification.objects.filter(holder__in=ids)
        .select_related("credential_type")
        .order_by("credential_type__name", "pk")
    )
    types: dict[int, CredentialType] = {}
    for cert in certs:
        types.setdefault(cert.credential_type_id, cert.credential_type)
    prefetch_related_objects(
        list(types.values()),
        Prefetch(
            "topic_requirements",
            queryset=TopicRequirement.objects.select_related("topic").order_by("pk"),
        ),
        Prefetch("approved_providers", queryset=ApprovedProvider.objects.order_by("pk")),
    )
    ok: dict[int, list] = {cert.pk: [] for cert in certs}
    ends: dict[int, list] = {cert.pk: [] for cert in certs}
    if certs:
        for cert_id, cycle_end, audit in Attestation.objects.filter(
            certification__in=list(ok)
        ).values_list("certification_id", "cycle_end", "audit"):
            ends[cert_id].append(cycle_end)
            if audit != AuditOutcome.FAILED:
                ok[cert_id].append(cycle_end)
    rows = []
    for cert in certs:
        row = CertificationRow(
            cert.pk,
            cert.holder_id,
            cert.credential_type_id,
            cert.issued_on,
            cert.expires_on,
            ok[cert.pk],
            ends[cert.pk],
        )
        row.credential_type = types[cert.credential_type_id]
        rows.append(row)
    return rows


def _credential_type(fields, values, reqs, provs) -> CredentialType:
    """A credential type from its row, with its topic requirements (and their topics) and
    approved providers set as prefetched: the rules read them through
    ``topic_requirements.all()`` and ``approved_providers.all()``."""
    ctype = CredentialType.from_db(None, fields, values)
    requirements = []
    for pk, topic_id, code, name, min_hours in json.loads(reqs or "[]"):
        req = TopicRequirement(
            id=pk, credential_type_id=ctype.pk, topic_id=topic_id, min_hours=Decimal(min_hours)
        )
        req.topic = CETopic(id=topic_id, code=code, name=name)
        requirements.append(req)
    providers = [
        ApprovedProvider(id=pk, credential_type_id=ctype.pk, name=name)
        for pk, name in json.loads(provs or "[]")
    ]
    ctype._prefetched_objects_cache = {
        "topic_requirements": _with_prefetched(TopicRequirement, requirements),
        "approved_providers": _with_prefetched(ApprovedProvider, providers),
    }
    return ctype

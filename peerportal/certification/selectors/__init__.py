from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Window,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from peerportal.accounts.models import STAFF_ROLES, User
from peerportal.core.models import Organization
from peerportal.core.permissions import is_coordinator, require_role

from .. import rules, statements
from ..models import (
    OWNER_EDITABLE,
    ApprovedProvider,
    Attestation,
    AuditOutcome,
    Certification,
    CETopic,
    CredentialType,
    RecordStatus,
    SupervisionSession,
    TopicRequirement,
    TrainingRecord,
)
from ..permissions import can_view_person
from ..statements import RULE_FIELDS


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


#: A person as the team list reads them.
PersonRow = namedtuple("PersonRow", ("pk", "display_name"))


def team_page_list(user):
    """``team_for(user)``'s people as ``PersonRow``s (id and display name), for a
    ``Paginator``: on PostgreSQL a ``WrittenOutList`` (the same filter and order as
    ``team_for``, written out), elsewhere the ORM's rows."""
    require_role(user, "supervisor")
    if connection.vendor != "postgresql":
        return team_for(user).values_list("pk", "display_name", named=True)
    everyone = is_coordinator(user)
    params = [[str(role.value) for role in STAFF_ROLES], user.pk]
    if not everyone:
        params.append(user.pk)
    return statements.WrittenOutList(statements.team(everyone), params, PersonRow)


#: A record waiting for review as the queue reads it (and the date checks).
QueueRow = namedtuple(
    "QueueRow",
    (
        "pk",
        "course",
        "hours",
        "completed_on",
        "credit_requested",
        "is_initial_training",
        "person_id",
        "person_name",
    ),
)


def review_queue_page_list(user):
    """``review_queue_for(user)``'s records as ``QueueRow``s, for a ``Paginator``: on
    PostgreSQL a ``WrittenOutList`` (the same filter and order, written out), elsewhere
    the ORM's rows."""
    require_role(user, "supervisor")
    if connection.vendor != "postgresql":
        return (
            review_queue_for(user)
            .select_related(None)
            .annotate(person_name=F("person__display_name"))
            .values_list(*QueueRow._fields, named=True)
        )
    everyone = is_coordinator(user)
    params = [RecordStatus.SUBMITTED.value, user.pk]
    if not everyone:
        params.append(user.pk)
    return statements.WrittenOutList(statements.review_queue(everyone), params, QueueRow)


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


def person_get_for(user, pk: int) -> User:
    person = get_object_or_404(User.objects.staff(), pk=pk)
    if not can_view_person(user, person):
        raise_404()
    return person


def raise_404():
    from django.http import Http404

    raise Http404


def team_for(user):
    require_role(user, "supervisor")
    qs = User.objects.staff().exclude(pk=user.pk)
    if not is_coordinator(user):
        qs = qs.filter(supervisor=user)
    return qs.order_by("display_name")


def review_queue_for(user):
    require_role(user, "supervisor")
    qs = (
        TrainingRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .exclude(person=user)
        .select_related("person", "topic")
    )
    if not is_coordinator(user):
        qs = qs.filter(person__supervisor=user)
    return qs.order_by("submitted_at")


def record_get_for_review(user, pk: int) -> TrainingRecord:
    """A record in the reviewer's scope (their team; coordinators: all). Own records too, so the view can refuse with 403."""
    require_role(user, "supervisor")
    qs = TrainingRecord.objects.select_related("person", "topic")
    if not is_coordinator(user):
        qs = qs.filter(person__supervisor=user) | qs.filter(person=user)
    return get_object_or_404(qs, pk=pk)


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


def supervision_list_for(user, person=None):
    person = person or user
    return SupervisionSession.objects.filter(staff=person).select_related("supervisor")


def certification_get_own(user, pk: int) -> Certification:
    return get_object_or_404(
        Certification.objects.select_related("credential_type"), pk=pk, holder=user
    )


def attestation_list_for(user):
    require_role(user, "coordinator")
    return (
        Attestation.objects.exclude(certification__holder=user)
        .select_related("certification__credential_type", "certification__holder")
        .order_by("-attested_at", "-id")
    )


def attestation_get_for(user, pk: int) -> Attestation:
    return get_object_or_404(attestation_list_for(user), pk=pk)


def records_for_attestation(att: Attestation) -> list[TrainingRecord]:
    """The holder's approved CE records inside the attested cycle (the audit's material)."""
    cert = att.certification
    standing = certification_standing(cert, att.cycle_end - dt.timedelta(days=1))
    start = standing.cycle.start if standing.cycle else att.cycle_end
    return list(
        TrainingRecord.objects.filter(
            person=cert.holder_id,
            status=RecordStatus.APPROVED,
            is_initial_training=False,
            completed_on__gte=start,
            completed_on__lt=att.cycle_end,
        ).select_related("topic")
    )


# --- trainings the organization runs (credit from attendance) ------------------------------


def _trainings():
    from ..models import TrainingEvent, TrainingEventTopic

    return TrainingEvent.objects.select_related("facilitator").prefetch_related(
        Prefetch("topic_hours", queryset=TrainingEventTopic.objects.select_related("topic"))
    )


def training_event_list_for(user):
    """Every training (they are the organization's, open to all staff), newest first, with
    whether ``user`` is on the roster and how many are."""
    from django.db.models import Exists, OuterRef

    from ..models import TrainingAttendee

    require_role(user, "staff")
    return (
        _trainings()
        .annotate(
            registered=Exists(TrainingAttendee.objects.filter(event=OuterRef("pk"), person=user)),
            roster_size=Count("attendees", distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def training_event_get(user, pk: int):
    """A training any staff member may register for."""
    require_role(user, "staff")
    return get_object_or_404(_trainings(), pk=pk)


def training_event_get_for_attendance(user, pk: int):
    """The training's facilitator, or a coordinator; anyone else gets 404."""
    require_role(user, "staff")
    qs = _trainings() if is_coordinator(user) else _trainings().filter(facilitator=user)
    return get_object_or_404(qs, pk=pk)


def training_event_get_for_edit(user, pk: int):
    require_role(user, "coordinator")
    return get_object_or_404(_trainings(), pk=pk)


def training_roster(event):
    """The roster with display names only (no emails), for the facilitator."""
    from ..models import TrainingAttendee

    return (
        TrainingAttendee.objects.filter(event=event)
        .select_related("person")
        .only("pk", "event_id", "attended", "person__id", "person__display_name", "person__role")
        .order_by("person__display_name", "pk")
    )


def training_roster_candidates(event):
    """Staff the facilitator may add, never themselves: before closing, anyone not on the
    roster; after closing (a late attendee), anyone not yet credited — including someone
    who registered but was not marked present."""
    qs = User.objects.staff().exclude(pk=event.facilitator_id)
    if event.is_closed:
        qs = qs.exclude(training_credits__event=event)
    else:
        qs = qs.exclude(training_attendance__event=event)
    return qs.only("pk", "display_name").order_by("display_name", "pk")


def training_close_summary(event, closer) -> dict:
    """What closing would produce: how many staff get how many hours (and on what)."""
    from ..models import TrainingAttendee

    lines = list(event.topic_hours.all())
    return {
        "people": TrainingAttendee.objects.creditable(event, closer).count(),
        "hours": sum((line.hours for line in lines), Decimal("0")),
        "lines": lines,
    }


def training_credit_list_for(user):
    """The user's own certificates of attendance."""
    from ..models import TrainingCredit

    return TrainingCredit.objects.filter(person=user).select_related("event")


def training_credit_get_for(user, pk: int):
    """A certificate: its holder, their supervisor, coordinators; anyone else gets 404."""
    from ..models import TrainingCredit, TrainingRecord
    from ..permissions import can_view_certificate

    require_role(user, "staff")
    credit = get_object_or_404(
        TrainingCredit.objects.select_related("event", "person", "approved_by").prefetch_related(
            Prefetch(
                "records",
                queryset=TrainingRecord.objects.select_related("topic").order_by(
                    "topic__name", "pk"
                ),
            )
        ),
        pk=pk,
    )
    if not can_view_certificate(user, credit):
        raise_404()
    return credit


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


#: A completion date further back than this is flagged in the review queue.
FAR_PAST_YEARS = 10


def date_flags(records, on: dt.date, *, standings=None) -> dict[int, list[str]]:
    """Dates a reviewer should look at twice: in the future, long ago, or before the
    current cycle of every credential the person holds (so it cannot count)."""
    if standings is None:
        # Only the cycles are read here, not the statuses.
        people = list({r.person_id: None for r in records})
        cycles_by_person = current_cycles_by_ids(people, on) if people else {}
    else:
        cycles_by_person = {
            person: [
                (row["certification"].credential_type.name, row["standing"].cycle) for row in rows
            ]
            for person, rows in standings.items()
        }
    far_past = on - relativedelta(years=FAR_PAST_YEARS)
    flags: dict[int, list[str]] = {}
    for record in records:
        found = []
        if record.completed_on > on:
            found.append(_("Completion date is in the future."))
        elif record.completed_on < far_past:
            found.append(_("Completed more than %(n)s years ago.") % {"n": FAR_PAST_YEARS})
        cycles_ = [
            (name, cycle)
            for name, cycle in cycles_by_person.get(record.person_id, [])
            if cycle is not None
        ]
        if (
            not record.is_initial_training
            and cycles_
            and all(record.completed_on < cycle.start for _n, cycle in cycles_)
        ):
            for name, cycle in cycles_:
                found.append(
                    _("Before the current cycle of %(credential)s (from %(date)s).")
                    % {"credential": name, "date": cycle.start.isoformat()}
                )
        flags[record.pk] = found
    return flags


def review_list_for_record(record: TrainingRecord):
    """The decisions on a record, oldest first, with the reviewer's display name."""
    return record.reviews.select_related("reviewer").only(
        "id", "record_id", "decision", "comment", "decided_at", "reviewer__display_name"
    )

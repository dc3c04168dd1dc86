"""The PostgreSQL statements of the certification pages' hot reads, written out once per
process from the models' table and column names (each function is cached): building and
compiling the same queries through the ORM cost ≈ 1,000–2,000 Python calls each, every
request. Only names from the models are put in; every value goes as a parameter. The
selectors run them on PostgreSQL and take the ORM elsewhere (SQLite), for the same rows;
tests hold each to the ORM's answer.
"""

from __future__ import annotations

import functools

from django.db import connection

from peerportal.accounts.models import User

from .models import (
    ApprovedProvider,
    Attestation,
    Certification,
    CETopic,
    CredentialType,
    SupervisionSession,
    TopicRequirement,
    TrainingRecord,
)

#: What the rules read of an approved record (``rules._shared._classify``, ``ce_progress``,
#: ``initial_progress``), plus the owner to group by.
RULE_FIELDS = (
    "pk",
    "person_id",
    "status",
    "completed_on",
    "hours",
    "topic_id",
    "is_initial_training",
    "credit_requested",
    "provider",
    "course",
    "credit_id",
)


class WrittenOutList:
    """What a ``Paginator`` pages through, read with two statements written out once: a
    count, and a page of rows (the rows statement ends with ``LIMIT %s OFFSET %s``), each
    row made a ``row_class`` named tuple. Building and compiling a paginated ORM query cost
    ≈ 3,000 Python calls a page (its count and its rows); these cost ≈ 250."""

    def __init__(self, statements: tuple[str, str], params: list, row_class):
        self.count_sql, self.rows_sql = statements
        self.params = params
        self.row_class = row_class

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql, self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice) or key.step is not None or key.start is None:
            raise TypeError("a page is read as list[start:stop]")
        new, row_class = tuple.__new__, self.row_class
        with connection.cursor() as cursor:
            cursor.execute(self.rows_sql, [*self.params, key.stop - key.start, key.start])
            return [new(row_class, row) for row in cursor.fetchall()]


@functools.cache
def supervision() -> str:
    """``selectors.recent_supervision_with_total``: the latest sessions (date, hours,
    notes) and, on each row, the hours of all of them."""
    s = SupervisionSession._meta
    date, hours, notes, staff = (s.get_field(f).column for f in ("date", "hours", "notes", "staff"))
    return f"""
        SELECT s."{date}", s."{hours}", s."{notes}", SUM(s."{hours}") OVER ()
        FROM "{s.db_table}" s WHERE s."{staff}" = %s
        ORDER BY s."{date}" DESC, s."{s.pk.column}" DESC LIMIT %s
    """  # noqa: S608 — names from the model; values are parameters


@functools.cache
def approved_rows(pending: bool) -> str:
    """``selectors.approved_rows_and_pending_counts``: the approved records the rules can
    count (CE from the person's first issue date on, initial training always), as
    ``RULE_FIELDS``. With ``pending``, the counts of waiting records follow (same columns:
    None but the person and status, the count last, in ``credit_id``'s place)."""
    record, cert = TrainingRecord._meta, Certification._meta
    columns = [
        record.pk if f == "pk" else record.get_field(f.removesuffix("_id")) for f in RULE_FIELDS
    ]
    select = ", ".join(f'r."{f.column}"' for f in columns)
    person = record.get_field("person").column
    status = record.get_field("status").column
    # Only table and column names from the models are put in; values go as parameters.
    # Each person's first issue date is worked out once (f), not once a record: as a
    # correlated subquery PostgreSQL read the certifications again for each of the records
    # (3.7 ms for the bench team page's 347 records). With no certification it is NULL,
    # and only initial training counts, as before.
    holder = cert.get_field("holder").column
    issued = cert.get_field("issued_on").column
    sql = f"""
        SELECT {select} FROM "{record.db_table}" r
        LEFT JOIN (
            SELECT c."{holder}" AS holder, MIN(c."{issued}") AS first_issued
            FROM "{cert.db_table}" c WHERE c."{holder}" = ANY(%s) GROUP BY c."{holder}"
        ) f ON f.holder = r."{person}"
        WHERE r."{status}" = %s AND r."{person}" = ANY(%s)
          AND (r."{record.get_field("is_initial_training").column}"
               OR r."{record.get_field("completed_on").column}" >= f.first_issued)
    """  # noqa: S608
    if pending:
        blanks = ", ".join(["NULL"] * (len(columns) - 4))
        sql += f"""
        UNION ALL
        SELECT NULL, r."{person}", r."{status}", {blanks}, COUNT(*) FROM "{record.db_table}" r
        WHERE r."{status}" = %s AND r."{person}" = ANY(%s) GROUP BY r."{person}", r."{status}"
        """  # noqa: S608
    return sql


@functools.cache
def team(everyone: bool) -> tuple[str, str]:
    """``selectors.team_page_list``: ``team_for``'s filter and order (active staff but the
    user; their own team unless ``everyone``), as a count and a page of (id, display name)."""
    u = User._meta
    role, active, name = (u.get_field(f).column for f in ("role", "is_active", "display_name"))
    where = f"""
        FROM "{u.db_table}" u
        WHERE u."{active}" AND u."{role}" = ANY(%s) AND u."{u.pk.column}" <> %s
    """  # noqa: S608 — names from the model; values are parameters
    if not everyone:
        where += f' AND u."{u.get_field("supervisor").column}" = %s'
    return (
        f"SELECT COUNT(*) {where}",
        f'SELECT u."{u.pk.column}", u."{name}" {where} ORDER BY u."{name}" LIMIT %s OFFSET %s',
    )


@functools.cache
def review_queue(everyone: bool) -> tuple[str, str]:
    """``selectors.review_queue_page_list``: ``review_queue_for``'s filter and order
    (waiting records but the user's own; their team's unless ``everyone``), as a count and a
    page of ``selectors.QueueRow``s."""
    r, u = TrainingRecord._meta, User._meta
    col = {f: r.get_field(f).column for f in ("status", "person", "submitted_at")}
    shown = ("course", "hours", "completed_on", "credit_requested", "is_initial_training")
    columns = ", ".join([f'r."{r.pk.column}"', *(f'r."{r.get_field(f).column}"' for f in shown)])
    where = f"""
        FROM "{r.db_table}" r JOIN "{u.db_table}" p ON p."{u.pk.column}" = r."{col["person"]}"
        WHERE r."{col["status"]}" = %s AND r."{col["person"]}" <> %s
    """  # noqa: S608 — names from the models; values are parameters
    if not everyone:
        where += f' AND p."{u.get_field("supervisor").column}" = %s'
    return (
        f"SELECT COUNT(*) {where}",
        f'SELECT {columns}, r."{col["person"]}", p."{u.get_field("display_name").column}" '
        f'{where} ORDER BY r."{col["submitted_at"]}" LIMIT %s OFFSET %s',
    )


@functools.cache
def certifications() -> tuple[str, tuple[str, ...]]:
    """The SQL of ``selectors.rule_rows._certifications_with_rules`` and the credential
    type's field names in the order it selects them (``CredentialType.from_db``): the ORM
    took ≈ 5 ms of CPU a page building four queries (certifications with their types, topic
    requirements, providers, attestations) for a few dozen rows."""
    ct = CredentialType._meta
    # The primary key first: the loader reads the type's id from the first type column.
    type_fields = [ct.pk, *(f for f in ct.concrete_fields if f is not ct.pk)]
    tables = {
        "cert": Certification._meta.db_table,
        "ctype": ct.db_table,
        "att": Attestation._meta.db_table,
        "req": TopicRequirement._meta.db_table,
        "topic": CETopic._meta.db_table,
        "prov": ApprovedProvider._meta.db_table,
    }
    type_columns = ", ".join(f't."{f.column}"' for f in type_fields)
    # Only table and column names from the models are put in; values go as parameters.
    sql = f"""
        SELECT c.id, c.holder_id, c.issued_on, c.expires_on,
            ARRAY(SELECT a.cycle_end FROM "{tables["att"]}" a
                  WHERE a.certification_id = c.id AND NOT (a.audit = %s)),
            ARRAY(SELECT a.cycle_end FROM "{tables["att"]}" a WHERE a.certification_id = c.id),
            (SELECT json_agg(json_build_array(r.id, r.topic_id, tp.code, tp.name,
                                              r.min_hours::text) ORDER BY r.id)::text
               FROM "{tables["req"]}" r JOIN "{tables["topic"]}" tp ON tp.id = r.topic_id
              WHERE r.credential_type_id = t.id),
            (SELECT json_agg(json_build_array(p.id, p.name) ORDER BY p.id)::text
               FROM "{tables["prov"]}" p WHERE p.credential_type_id = t.id),
            {type_columns}
        FROM "{tables["cert"]}" c JOIN "{tables["ctype"]}" t ON t.id = c.credential_type_id
        WHERE c.holder_id = ANY(%s)
        ORDER BY t.name ASC, c.id ASC
    """  # noqa: S608
    return sql, tuple(f.attname for f in type_fields)


@functools.cache
def records_of_person() -> str:
    """``selectors.records_all_of``: all of a person's records, newest first, as
    ``selectors.ListedRecord``s (``RULE_FIELDS``, the evidence, the topic's name)."""
    r, topic = TrainingRecord._meta, CETopic._meta
    columns = [r.pk if f == "pk" else r.get_field(f.removesuffix("_id")) for f in RULE_FIELDS]
    columns.append(r.get_field("evidence"))
    select = ", ".join(f'r."{f.column}"' for f in columns)
    completed_on = r.get_field("completed_on").column
    return f"""
        SELECT {select}, t."{topic.get_field("name").column}"
        FROM "{r.db_table}" r LEFT JOIN "{topic.db_table}" t
          ON t."{topic.pk.column}" = r."{r.get_field("topic").column}"
        WHERE r."{r.get_field("person").column}" = %s
        ORDER BY r."{completed_on}" DESC, r."{r.pk.column}" DESC
    """  # noqa: S608 — names from the models; the value is a parameter

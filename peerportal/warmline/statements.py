"""The written-out SQL of the warm-line pages' hottest reads, and how their rows are read.

Building these reads with the ORM cost one to two milliseconds of CPU each, several times
running them; here each is plain SQL for PostgreSQL and SQLite alike, with datetimes and
booleans read through the model fields' own converters. Tests hold each read to the ORM's
answer on both databases."""

from __future__ import annotations

from .models import CallRecord

# {columns}: the shift's columns (the model's); {shown}: the week on the shown lines, made
# of fixed text (values go as parameters). The two sets are a UNION inside IN, not an OR:
# with OR, PostgreSQL read every shift ever planned to test each against both (0.7 ms on
# the bench data); this way the week comes from the start-time index.
BOARD_SQL = """
SELECT {columns},
    (SELECT COUNT(*) FROM warmline_shiftassignment a WHERE a.shift_id = s.id AND a.is_active = %s),
    EXISTS (SELECT 1 FROM warmline_shiftassignment a
            WHERE a.shift_id = s.id AND a.person_id = %s AND a.is_active = %s)
FROM warmline_shift s
WHERE s.id IN (
    SELECT w.id FROM warmline_shift w WHERE {shown}
    UNION
    SELECT a.shift_id FROM warmline_shiftassignment a JOIN warmline_shift x ON x.id = a.shift_id
    WHERE a.person_id = %s AND a.is_active = %s AND x.starts_at < %s AND x.ends_at > %s)
ORDER BY s.starts_at, s.id
"""


MY_SHIFTS_SQL = """
SELECT a.id, a.shift_id, s.starts_at, s.ends_at, l.name, w.status, t.display_name
FROM warmline_shiftassignment a
JOIN warmline_shift s ON s.id = a.shift_id
JOIN warmline_warmline l ON l.id = s.line_id
LEFT JOIN warmline_swaprequest w ON w.assignment_id = a.id AND w.status IN (%s, %s)
LEFT JOIN accounts_user t ON t.id = w.taker_id
WHERE a.person_id = %s AND a.is_active = %s AND s.ends_at > %s
ORDER BY s.starts_at
"""


def labels_sql(count: int) -> str:
    """The names of ``count`` call records' topics (kind 0) and referrals (kind 1), by name.
    Only the models' table and column names are put in; the ids go as parameters."""
    placeholders = ", ".join(["%s"] * count)
    parts = []
    for kind, name in enumerate(("topics", "referrals")):
        field = CallRecord._meta.get_field(name)
        target = field.related_model._meta
        record, label = field.m2m_column_name(), target.get_field("name").column
        join = f't."{target.pk.column}" = l."{field.m2m_reverse_name()}"'
        parts.append(
            f'SELECT l."{record}", {kind}, t."{label}" FROM "{field.m2m_db_table()}" l '  # noqa: S608
            f'JOIN "{target.db_table}" t ON {join} WHERE l."{record}" IN ({placeholders})'
        )
    return " UNION ALL ".join(parts) + " ORDER BY 3"


# {scope}: the user's part, made of fixed text (values go as parameters). The three names
# are looked up by subqueries rather than three more joins: PostgreSQL plans a seven-table
# join in about 1.5 ms on every request (ten times what the statement then takes to run),
# the four-table one in 0.4 ms; the rows are the same (the person always exists, taker and
# decider may be empty).
SWAP_HISTORY_SQL = """
SELECT w.id, w.status, s.starts_at, s.ends_at, l.name,
    (SELECT u.display_name FROM accounts_user u WHERE u.id = a.person_id),
    w.taker_id, (SELECT u.display_name FROM accounts_user u WHERE u.id = w.taker_id),
    w.decided_by_id, (SELECT u.display_name FROM accounts_user u WHERE u.id = w.decided_by_id)
FROM warmline_swaprequest w
JOIN warmline_shiftassignment a ON a.id = w.assignment_id
JOIN warmline_shift s ON s.id = a.shift_id
JOIN warmline_warmline l ON l.id = s.line_id
WHERE w.status IN (%s, %s, %s) AND w.created_at >= %s{scope}
ORDER BY w.created_at DESC, w.id DESC
LIMIT %s
"""

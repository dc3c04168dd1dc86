"""The written-out SQL of the groups pages' hottest reads, and how their rows are read.

Building these reads with the ORM cost four to six times what running them costs; here each
is plain SQL whose column lists come from the models' fields, and whose values go through the
fields' own converters (so SQLite gives the same aware times). Tests check each statement's
tables and columns against the models and its rows against the ORM query it replaced."""

from __future__ import annotations

from peerportal.core.models import Location

from .models import Booking, GroupSession, SupportGroup

# Plain statements of the directory (tests check the tables and columns against the models).
DIRECTORY_TOPICS_SQL = (
    "SELECT supportgroup_id, topic_id FROM groups_supportgroup_topics"
    " WHERE supportgroup_id IN ({ids})"
)


# Each group's next sessions (with DISTINCT ON, only the first): the sessions not yet
# over, which the index on (group, end) finds however long the groups' history. Then each
# kept session's confirmed bookings: COUNT(*) of its rows, found by the session index
# (counted outside, so that only the kept sessions are counted).
DIRECTORY_NEXT_SQL = (
    "SELECT n.group_id, n.starts_at, n.capacity,"
    " (SELECT COUNT(*) FROM groups_booking b WHERE b.session_id = n.id AND b.status = %s)"
    " FROM (SELECT {distinct}s.id, s.group_id, s.starts_at, s.capacity"
    " FROM groups_groupsession s"
    " WHERE s.ends_at > %s AND s.status = %s AND s.group_id IN ({ids}) AND s.starts_at < %s"
    " ORDER BY s.group_id, s.starts_at, s.id) n"
    " ORDER BY n.group_id, n.starts_at, n.id"
)


SESSION_START = [GroupSession._meta.get_field("starts_at")]


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# Topic's own order (its Meta.ordering; a test checks them).
TOPIC_CHOICES_SQL = 'SELECT id, name FROM groups_topic ORDER BY "order", name'


# A published group with its location: every column of both models, in their fields' order
# (as ``from_db`` takes them); tests check the tables and columns against the models.
GROUP_FIELDS = SupportGroup._meta.concrete_fields


LOCATION_FIELDS = Location._meta.concrete_fields


PUBLISHED_GROUP_SQL = (  # noqa: S608 (column names from the models, quoted)
    "SELECT {group_columns}, {location_columns} FROM groups_supportgroup g"
    " LEFT OUTER JOIN core_location l ON l.id = g.location_id"
    " WHERE g.id = %s AND g.is_published = %s AND g.archived_at IS NULL"
).format(
    group_columns=", ".join(f'g."{f.column}"' for f in GROUP_FIELDS),
    location_columns=", ".join(f'l."{f.column}"' for f in LOCATION_FIELDS),
)


GROUP_TOPIC_NAMES_SQL = (
    "SELECT t.name FROM groups_topic t"
    " INNER JOIN groups_supportgroup_topics l ON l.topic_id = t.id"
    ' WHERE l.supportgroup_id = %s ORDER BY t."order", t.name'
)


# The group page's sessions: every column of the model (in its fields' order, as
# ``from_db`` takes them), with the seats they hold (tests check the tables and columns).
SESSION_FIELDS = GroupSession._meta.concrete_fields


SESSION_COLUMNS = tuple(f.column for f in SESSION_FIELDS)


GROUP_PAGE_SESSIONS_SQL = (
    "SELECT {columns},"
    " (SELECT COUNT(*) FROM groups_booking b WHERE b.session_id = s.id AND b.status = %s),"
    " (SELECT COUNT(*) FROM groups_waitlistoffer o WHERE o.session_id = s.id AND o.status = %s)"
    "{viewer}"
    " FROM groups_groupsession s"
    " WHERE s.ends_at > %s AND s.group_id = %s AND s.starts_at < %s"
    " ORDER BY s.starts_at"
).replace("{columns}", ", ".join(f's."{c}"' for c in SESSION_COLUMNS))


VIEWER_BOOKED_SQL = (
    ", EXISTS(SELECT 1 FROM groups_booking v"
    " WHERE v.session_id = s.id AND v.member_id = %s AND v.status IN (%s, %s))"
)


def some_fields(model, names) -> list:
    """These fields of ``model`` in its fields' order (as ``from_db`` takes them)."""
    return [f for f in model._meta.concrete_fields if f.attname in names]


# The columns of My bookings' upcoming rows (what the page reads); the rest are deferred,
# as ``only()`` leaves them. Tests check the tables and columns against the models.
UPCOMING_FIELDS = (
    (
        Booking,
        some_fields(
            Booking,
            {"id", "session_id", "member_id", "status", "waitlisted_at", "standing_place_id"},
        ),
    ),
    (
        GroupSession,
        some_fields(GroupSession, {"id", "group_id", "starts_at", "ends_at", "status"}),
    ),
    (
        SupportGroup,
        some_fields(
            SupportGroup,
            {
                "id",
                "name",
                "format",
                "virtual_link",
                "link_visible_minutes",
                "cancellation_cutoff_hours",
            },
        ),
    ),
)


UPCOMING_BOOKINGS_SQL = (  # noqa: S608 (column names from the models, quoted)
    "SELECT {columns} FROM groups_booking b"
    " INNER JOIN groups_groupsession s ON s.id = b.session_id"
    " INNER JOIN groups_supportgroup g ON g.id = s.group_id"
    " WHERE b.member_id = %s AND s.ends_at > %s AND NOT (b.status = %s)"
    " ORDER BY s.starts_at"
).format(
    columns=", ".join(
        f'{alias}."{f.column}"'
        for alias, (_model, fields) in zip("bsg", UPCOMING_FIELDS, strict=True)
        for f in fields
    )
)


PAST_FROM = (
    " FROM groups_booking b INNER JOIN groups_groupsession s ON s.id = b.session_id"
    " INNER JOIN groups_supportgroup g ON g.id = s.group_id"
    " WHERE b.member_id = %s AND s.ends_at <= %s"
)


PAST_BOOKINGS_SQL = (
    "SELECT b.status, b.attendance, s.starts_at, s.status, g.name"
    + PAST_FROM
    + " ORDER BY s.starts_at DESC"
)


PAST_COUNT_SQL = "SELECT COUNT(*)" + PAST_FROM


PAST_KEYS = (
    "status",
    "attendance",
    "session__starts_at",
    "session__status",
    "session__group__name",
)

"""The group directory: published groups by filter, their topics and next sessions."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone

from peerportal.core.models import Location, Organization
from peerportal.core.rows import convert as convert_row
from peerportal.core.rows import converters_for

from .. import statements
from ..models import BookingStatus, GroupSession, SessionStatus, SupportGroup, Topic


def group_directory(
    *,
    q: str = "",
    topic: int | None = None,
    fmt: str = "",
    weekday: int | None = None,
    language: str = "",
    location: int | None = None,
    now=None,
):
    """Published groups matching the filters, as ``values()`` rows of the columns the
    directory shows (no model instances, no joined location objects); their topics and next
    sessions are read for one page at a time (``directory_topics``, ``directory_next_sessions``)."""
    now = now or timezone.now()
    groups = SupportGroup.objects.published()
    if q:
        groups = groups.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(topics__name__icontains=q)
        ).distinct()  # the topics join repeats a group per matching topic
    if topic:
        groups = groups.filter(topics=topic)
    if fmt:
        groups = groups.filter(format=fmt)
    if language:
        groups = groups.filter(language=language)
    if location:
        groups = groups.filter(location=location)
    if weekday is not None:
        # The weekday in the organization's time zone, of the sessions actually planned.
        on_day = (
            GroupSession.objects.upcoming(now)
            .scheduled()
            .annotate(local_day=ExtractIsoWeekDay("starts_at", tzinfo=Organization.get().tzinfo))
            .filter(group=OuterRef("pk"), local_day=weekday + 1)
        )
        groups = groups.filter(Exists(on_day))
    return groups.values(
        "id", "name", "description", "format", "language", "capacity", "location__name"
    )


def directory_topics(group_ids, topics: list[tuple[int, str]]) -> dict[int, list[str]]:
    """Topic names of these groups in the order of ``topics`` (all topics as ``(id, name)``,
    in their own order: the filter's option list), from the link table alone (plain SQL:
    building the ORM query cost more than running it)."""
    position = {pk: i for i, (pk, _name) in enumerate(topics)}
    names = dict(topics)
    linked: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            statements.DIRECTORY_TOPICS_SQL.format(ids=statements.placeholders(group_ids)),
            list(group_ids),
        )
        rows = cursor.fetchall()
    for group_id, topic_id in rows:
        linked.setdefault(group_id, []).append(topic_id)
    return {
        group_id: [names[pk] for pk in sorted(pks, key=position.__getitem__)]
        for group_id, pks in linked.items()
    }


def directory_next_sessions(group_ids, *, now=None, days: int = 14) -> dict[int, tuple]:
    """Each group's next scheduled session within ``days``: ``(starts_at, seats, confirmed)``
    (one plain statement — the ORM query cost four times as much to build as to run:
    PostgreSQL's DISTINCT ON keeps the first session of each group; on SQLite, which `make
    run` uses, the first row of each group is kept here instead)."""
    now = now or timezone.now()
    distinct = "DISTINCT ON (s.group_id) " if connection.features.can_distinct_on_fields else ""
    sql = statements.DIRECTORY_NEXT_SQL.format(
        distinct=distinct, ids=statements.placeholders(group_ids)
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        BookingStatus.CONFIRMED.value,
        adapt(now),
        SessionStatus.SCHEDULED.value,
        *group_ids,
        adapt(now + dt.timedelta(days=days)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = converters_for(statements.SESSION_START)
    out: dict[int, tuple] = {}
    for group_id, starts_at, capacity, n in rows:
        if group_id not in out:
            out[group_id] = (convert_row([starts_at], converters)[0], capacity, n)
    return out


def topics():
    return Topic.objects.all()


def directory_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The directory filter's topics and active locations as ``(id, name)`` in their own
    order: plain lists (no model instances or server-side cursors of a model choice field's
    option list), the topics also naming each card's badges. The topics with a plain
    statement (the ORM query cost more to build than to run)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.TOPIC_CHOICES_SQL)
        topic_rows = [(pk, name) for pk, name in cursor.fetchall()]
    return topic_rows, list(Location.objects.active().values_list("id", "name"))

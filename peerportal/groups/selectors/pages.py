"""A group's page and a session's: the group, its topics and its coming sessions."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.core.models import Location
from peerportal.core.permissions import has_role, is_coordinator
from peerportal.core.rows import convert as convert_row
from peerportal.core.rows import converters_for

from .. import statements
from ..models import BookingStatus, GroupSession, OfferStatus, SupportGroup
from .shared import _upcoming_sessions


def group_get_public(pk: int, *, now=None) -> SupportGroup:
    now = now or timezone.now()
    return get_object_or_404(
        SupportGroup.objects.published()
        .select_related("location")
        .prefetch_related(
            "topics",
            Prefetch("sessions", queryset=_upcoming_sessions(now, 56), to_attr="upcoming_sessions"),
        ),
        pk=pk,
    )


def group_get_for_viewer(user, pk: int) -> tuple[SupportGroup, bool]:
    """A group's page: published groups for everyone; an unpublished or archived group only
    as a preview for coordinators and the group's own facilitators (others get a 404).
    Returns the group (with its location; its topics and sessions are read by
    ``group_topic_names`` and ``group_page_sessions``) and whether this is such a preview."""
    group = _published_group_with_location(pk)
    if group is not None:
        return group, False
    if not has_role(user, "staff"):
        raise Http404
    qs = SupportGroup.objects.select_related("location")
    if not is_coordinator(user):
        qs = qs.filter(facilitators=user)
    return get_object_or_404(qs, pk=pk), True


def _published_group_with_location(pk: int) -> SupportGroup | None:
    """``SupportGroup.objects.published().select_related("location").get(pk=pk)``, or None,
    in one plain statement (the ORM query cost twice as much to build as to run); values go
    through the fields' own converters."""
    with connection.cursor() as cursor:
        cursor.execute(statements.PUBLISHED_GROUP_SQL, [pk, True])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(statements.GROUP_FIELDS)
    values = convert_row(list(row[:n]), converters_for(statements.GROUP_FIELDS))
    group = SupportGroup.from_db(connection.alias, None, values)
    if group.location_id is None:
        group.location = None
    else:
        values = convert_row(list(row[n:]), converters_for(statements.LOCATION_FIELDS))
        group.location = Location.from_db(connection.alias, None, values)
    return group


def group_topic_names(group: SupportGroup) -> list[str]:
    """The group's topic names in the topics' order (plain SQL, no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.GROUP_TOPIC_NAMES_SQL, [group.pk])
        return [name for (name,) in cursor.fetchall()]


def group_page_sessions(
    group: SupportGroup, *, viewer=None, now=None, days: int = 56
) -> list[GroupSession]:
    """The group's sessions of the coming ``days`` with the seats they hold (confirmed
    bookings and open offers, ``confirmed_count`` and ``offered_count``: one correlated
    subquery each), each with ``group`` set to ``group`` (no join, no prefetch). With a
    signed-in ``viewer``, each also says whether the viewer has an active booking in it
    (``viewer_booked``), so that their bookings are read only for the sessions that have one
    (most people have none in a group they view). One plain statement: the ORM query cost
    several times as much to build as to run."""
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = [BookingStatus.CONFIRMED.value, OfferStatus.OPEN.value]
    signed_in = viewer is not None and viewer.is_authenticated
    if signed_in:
        params += [viewer.pk, BookingStatus.CONFIRMED.value, BookingStatus.WAITLISTED.value]
    params += [adapt(now), group.pk, adapt(now + dt.timedelta(days=days))]
    sql = statements.GROUP_PAGE_SESSIONS_SQL.replace(
        "{viewer}", statements.VIEWER_BOOKED_SQL if signed_in else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(statements.SESSION_COLUMNS)
    converters = converters_for(statements.SESSION_FIELDS)
    sessions = []
    for row in rows:
        values = convert_row(list(row[:n]), converters)
        session = GroupSession.from_db(connection.alias, None, values)
        session.confirmed_count, session.offered_count = row[n], row[n + 1]
        if signed_in:
            session.viewer_booked = bool(row[n + 2])
        session.group = group
        sessions.append(session)
    return sessions


def session_get_public(pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.filter(group__is_published=True, group__archived_at__isnull=True)
        .with_counts()
        .select_related("group", "group__location"),
        pk=pk,
    )

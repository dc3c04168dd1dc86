"""Reads of groups, sessions and bookings, scoped to the person asking."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.db.models.functions import ExtractIsoWeekDay
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.core.models import Location, Organization
from peerportal.core.permissions import has_role, is_coordinator, require_role
from peerportal.core.rows import convert as convert_row
from peerportal.core.rows import converters_for

from . import statements
from .models import (
    HELD_STANDING,
    Booking,
    BookingStatus,
    GroupSession,
    OfferStatus,
    SessionStatus,
    StandingPlace,
    SupportGroup,
    Topic,
    WaitlistOffer,
)


def _upcoming_sessions(now: dt.datetime, limit_days: int = 28):
    # No select_related("group"): prefetched from a group, each session's ``group`` is set
    # to that group instance (a wide row and a model instance per session saved).
    return (
        GroupSession.objects.upcoming(now)
        .filter(starts_at__lt=now + dt.timedelta(days=limit_days))
        .with_counts()
        .order_by("starts_at")
    )


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


def _open_offers() -> Prefetch:
    """A booking's open waitlist offer (at most one), as ``booking.open_offers``."""
    return Prefetch(
        "offers",
        queryset=WaitlistOffer.objects.filter(status=OfferStatus.OPEN),
        to_attr="open_offers",
    )


def active_bookings_by_session(user, sessions) -> dict[int, Booking]:
    """The person's own active bookings for these sessions (one query)."""
    if not user.is_authenticated or not sessions:
        return {}
    pks = {s.pk for s in sessions}
    rows = Booking.objects.active().with_waitlist_position().filter(member=user)
    groups = {s.group_id for s in sessions}
    if len(pks) > 20 and len(groups) == 1:
        # A group page's many sessions: the person's coming bookings in the group (a few
        # rows, by the member index), not an IN list of every session id.
        first = min(s.starts_at for s in sessions)
        rows = rows.filter(session__group_id=groups.pop(), session__starts_at__gte=first)
    else:
        rows = rows.filter(session__in=pks)
    rows = rows.prefetch_related(_open_offers())
    return {b.session_id: b for b in rows if b.session_id in pks}


def session_get_public(pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.filter(group__is_published=True, group__archived_at__isnull=True)
        .with_counts()
        .select_related("group", "group__location"),
        pk=pk,
    )


def booking_list_for(user, *, upcoming: bool = True, now=None):
    """My bookings' rows. Upcoming: a list of model instances with their session and group,
    only the columns the page reads (no location, descriptions or schedule); waiting places
    and open offers are added by ``booking_waitlist_details`` (they concern waitlisted
    bookings only). Past: ``PastBookings``, dict rows of what the past table shows, for a
    paginator. Both read with plain statements: the ORM queries cost several times as much
    to build as to run."""
    now = now or timezone.now()
    if not upcoming:
        return PastBookings(user, now)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            statements.UPCOMING_BOOKINGS_SQL, [user.pk, adapt(now), BookingStatus.CANCELLED.value]
        )
        rows = cursor.fetchall()
    parts = [
        (model, fields, converters_for(fields)) for model, fields in statements.UPCOMING_FIELDS
    ]
    bookings = []
    for row in rows:
        start, made = 0, []
        for model, fields, converters in parts:
            values = convert_row(list(row[start : start + len(fields)]), converters)
            made.append(model.from_db(connection.alias, [f.attname for f in fields], values))
            start += len(fields)
        booking, session, group = made
        session.group = group
        booking.session = session
        bookings.append(booking)
    return bookings


class PastBookings:
    """A person's bookings of sessions that have ended, newest first, as the dict rows the
    past table shows (the keys ``values()`` gave), for ``Paginator``: ``count()`` and each
    slice one plain statement."""

    ordered = True  # for Paginator: newest first

    def __init__(self, user, now: dt.datetime):
        self.params = [user.pk, connection.ops.adapt_datetimefield_value(now)]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statements.PAST_COUNT_SQL, self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("PastBookings takes slices, as Paginator makes")
        start, stop = index.start or 0, index.stop
        if stop is None:
            return self._read("", [])[start:]  # all of them (an OFFSET alone is not SQLite's)
        if stop <= start:
            return []
        return self._read(" LIMIT %s OFFSET %s", [stop - start, start])

    def __iter__(self):
        return iter(self[:])

    def _read(self, limit: str, params: list) -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(statements.PAST_BOOKINGS_SQL + limit, [*self.params, *params])
            rows = cursor.fetchall()
        converters = converters_for(statements.SESSION_START)
        out = []
        for row in rows:
            values = list(row)
            values[2] = convert_row([values[2]], converters)[0]
            out.append(dict(zip(statements.PAST_KEYS, values, strict=True)))
        return out


def booking_waitlist_details(bookings) -> None:
    """Set ``waitlist_ahead`` and ``open_offers`` on waitlisted bookings (one query each,
    none when nothing is waitlisted: the usual case). An open offer is only ever made to a
    waitlisted booking (``waitlist.first_waiting``), and promotion skips bookings holding
    one, so the other bookings get none."""
    waiting = []
    for b in bookings:
        if b.status == BookingStatus.WAITLISTED:
            waiting.append(b)
        else:
            b.open_offers = []
    if not waiting:
        return
    ahead = dict(
        Booking.objects.filter(pk__in=[b.pk for b in waiting])
        .with_waitlist_position()
        .values_list("pk", "waitlist_ahead")
    )
    for b in waiting:
        b.waitlist_ahead = ahead.get(b.pk, 0)
    prefetch_related_objects(waiting, _open_offers())


def booking_feed_for(user, *, now=None):
    """The calendar feed: the person's confirmed bookings of sessions not over yet."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            member=user, session__ends_at__gt=now, status=BookingStatus.CONFIRMED
        )
        .select_related("session__group", "session__group__location")
        .order_by("session__starts_at")
    )


def next_bookings(member, now: dt.datetime):
    """``member``'s bookings (a person or their id) whose session has not ended, cancelled
    ones left out, soonest first: the dashboard panel's read (``panels.my_bookings``)."""
    return (
        Booking.objects.filter(member=member, session__ends_at__gt=now)
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("session__starts_at")
    )


def booking_get_for(user, pk: int) -> Booking:
    """One of the person's own bookings; anyone else's is a 404."""
    return get_object_or_404(Booking.objects.select_related("session__group"), pk=pk, member=user)


def offer_get_for(user, pk: int) -> WaitlistOffer:
    """An offer made to the person; anyone else's is a 404."""
    return get_object_or_404(
        WaitlistOffer.objects.select_related("session__group"), pk=pk, booking__member=user
    )


def offer_get_by_id(pk: int) -> WaitlistOffer:
    """For the signed email link, whose signature is the authority."""
    return get_object_or_404(
        WaitlistOffer.objects.select_related("session__group__location", "booking"), pk=pk
    )


def standing_place_list_for(user, *, now=None):
    """The person's held standing places, each with its coming booking rows (2 queries)."""
    now = now or timezone.now()
    coming = (
        Booking.objects.filter(session__starts_at__gt=now)
        .select_related("session")
        .order_by("session__starts_at")
    )
    return (
        StandingPlace.objects.filter(HELD_STANDING, member=user)
        .select_related("group")
        .prefetch_related(Prefetch("bookings", queryset=coming, to_attr="coming"))
        .order_by("group__name")
    )


def standing_place_get_for(user, pk: int) -> StandingPlace:
    """One of the person's own standing places; anyone else's is a 404."""
    return get_object_or_404(StandingPlace.objects.select_related("group"), pk=pk, member=user)


def standing_place_in_group(user, group) -> StandingPlace | None:
    if not user.is_authenticated:
        return None
    return StandingPlace.objects.filter(HELD_STANDING, member=user, group=group).first()


def sessions_facilitated_by(user, *, now=None, days: int = 28):
    """Upcoming sessions of the groups the person facilitates — coordinators included:
    "Sessions I facilitate" is their own list (they reach any roster from the group pages)."""
    require_role(user, "staff")
    now = now or timezone.now()
    return _upcoming_sessions(now, days).select_related("group").filter(group__facilitators=user)


def facilitated_sessions_before(facilitator, now: dt.datetime, until: dt.datetime):
    """Upcoming sessions starting before ``until`` of the groups ``facilitator`` (a person or
    their id) facilitates, soonest first: the dashboard panel's read (``panels.facilitating``)."""
    return (
        GroupSession.objects.upcoming(now)
        .filter(starts_at__lt=until, group__facilitators=facilitator)
        .order_by("starts_at")
    )


def facilitated_session_get(user, pk: int) -> GroupSession:
    """A session the person facilitates (coordinators: any); otherwise 404."""
    require_role(user, "staff")
    qs = GroupSession.objects.select_related("group", "group__location")
    if not is_coordinator(user):
        qs = qs.filter(group__facilitators=user)
    return get_object_or_404(qs, pk=pk)


def booking_get_for_facilitator(user, pk: int) -> Booking:
    """A booking in a session the person facilitates (coordinators: any); otherwise 404."""
    require_role(user, "staff")
    qs = Booking.objects.select_related("session__group", "member")
    if not is_coordinator(user):
        qs = qs.filter(session__group__facilitators=user)
    return get_object_or_404(qs, pk=pk)


def roster(session: GroupSession):
    """Display names only: the roster never carries emails or other details."""
    return (
        session.bookings.active()
        .select_related("member")
        .only(
            "id",
            "status",
            "attendance",
            "seat",
            "waitlisted_at",
            "standing_place_id",
            "member__id",
            "member__display_name",
            "session_id",
        )
        .order_by("status", "seat", "waitlisted_at")
    )


def group_list_for_coordinator(user):
    require_role(user, "coordinator")
    return (
        SupportGroup.objects.select_related("location")
        .prefetch_related("facilitators")
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )


def group_sessions_attendance_for_coordinator(user, group: SupportGroup, *, now=None):
    """Coming sessions of a group with regulars, one-offs, waiting and offered counts."""
    require_role(user, "coordinator")
    now = now or timezone.now()
    confirmed = Q(bookings__status=BookingStatus.CONFIRMED)
    return (
        group.sessions.upcoming(now)
        .annotate(
            regulars=Count(
                "bookings",
                filter=confirmed & Q(bookings__standing_place__isnull=False),
                distinct=True,
            ),
            one_offs=Count(
                "bookings",
                filter=confirmed & Q(bookings__standing_place__isnull=True),
                distinct=True,
            ),
            waiting=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.WAITLISTED), distinct=True
            ),
            offered=Count("offers", filter=Q(offers__status=OfferStatus.OPEN), distinct=True),
        )
        .order_by("starts_at")
    )


def group_get_for_coordinator(user, pk: int) -> SupportGroup:
    require_role(user, "coordinator")
    return get_object_or_404(SupportGroup, pk=pk)


def group_has_bookings(group: SupportGroup) -> bool:
    return Booking.objects.filter(session__group=group).exists()

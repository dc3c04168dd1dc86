"""A person's own bookings, waitlist offers and standing places; anyone else's is a 404."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.core.rows import convert as convert_row
from peerportal.core.rows import converters_for

from .. import statements
from ..models import (
    HELD_STANDING,
    Booking,
    BookingStatus,
    OfferStatus,
    StandingPlace,
    WaitlistOffer,
)


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

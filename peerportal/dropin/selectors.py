"""Reads scoped to the person asking. Members never see other attendees: only counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.core.links import pk_link
from peerportal.core.models import Location, Organization
from peerportal.core.prepared import PreparedRows

from .models import (
    RSVP,
    Event,
    EventCategory,
    EventSeries,
    RSVPStatus,
    VisitCategory,
    VisitTally,
)
from .permissions import can_manage_events


def _visible_events(user):
    qs = Event.objects.select_related("location", "category")
    if can_manage_events(user):
        return qs.filter(location__is_active=True)
    return qs.published()


def event_list_for(
    user,
    *,
    location_id: int | None = None,
    category_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
):
    """Events in [start, end) (by start time), published ones unless the user manages events.
    Read them with ``event_rows`` (the fields lists show, the RSVP count if asked)."""
    qs = _visible_events(user)
    if location_id:
        qs = qs.filter(location_id=location_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if start is not None:
        qs = qs.filter(ends_at__gt=start) if end is None else qs.filter(starts_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "id")


class Named:
    """A location or category as an event row shows it (``row.location.name``)."""

    __slots__ = ("pk", "name")

    def __init__(self, pk: int, name: str):
        self.pk, self.name = pk, name

    def __str__(self) -> str:
        return self.name


class EventRow:
    """An event as the list and calendar pages show it: the fields they print, read with
    ``values()`` — no model instances with a joined location and category per row (building
    those was most of the list's query cost). ``seats_left`` needs ``counted=True``."""

    __slots__ = (
        "pk",
        "title",
        "starts_at",
        "ends_at",
        "capacity",
        "rsvp_enabled",
        "is_cancelled",
        "is_published",
        "location",
        "category",
        "rsvp_count",
        "url",
    )

    def __init__(self, row: dict, url):
        self.pk = row["pk"]
        self.title = row["title"]
        self.starts_at = row["starts_at"]
        self.ends_at = row["ends_at"]
        self.capacity = row["capacity"]
        self.rsvp_enabled = row["rsvp_enabled"]
        self.is_cancelled = row["is_cancelled"]
        self.is_published = row["is_published"]
        self.location = Named(row["location_id"], row["location__name"])
        category = row["category_id"]
        self.category = Named(category, row["category__name"]) if category else None
        self.rsvp_count = row.get("rsvp_count")
        self.url = url(self.pk)

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int | None:
        """As ``Event.seats_left``: a count only, None without a limit."""
        if self.capacity is None:
            return None
        if self.rsvp_count is None:
            raise ValueError("seats_left needs event_rows(..., counted=True)")
        return max(self.capacity - self.rsvp_count, 0)


ROW_FIELDS = (
    "pk",
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "rsvp_enabled",
    "is_cancelled",
    "is_published",
    "location_id",
    "location__name",
    "category_id",
    "category__name",
)


def event_rows(events, *, counted: bool = False):
    """``event_list_for(...)`` as dicts of the fields rows show (with the active RSVP count
    when ``counted``); turn them into rows with ``as_rows`` (after paginating)."""
    if counted:
        return events.with_rsvp_count().values(*ROW_FIELDS, "rsvp_count")
    return events.values(*ROW_FIELDS)


def as_rows(dicts) -> list[EventRow]:
    url = pk_link("dropin:event-detail")
    return [EventRow(row, url) for row in dicts]


def event_get_for(user, pk: int) -> Event:
    return get_object_or_404(
        _visible_events(user).with_rsvp_count().select_related("location", "series"), pk=pk
    )


def series_get_active(pk: int) -> EventSeries:
    return get_object_or_404(EventSeries.objects.filter(is_active=True), pk=pk)


def series_upcoming_summary(series: EventSeries) -> dict:
    """How many events ending the series would cancel, and how many RSVPs they hold."""
    upcoming = series.events.filter(starts_at__gt=timezone.now(), is_cancelled=False)
    return {
        "events": upcoming.count(),
        "rsvps": RSVP.objects.active().filter(event__in=upcoming).count(),
    }


def public_location_get(pk: int) -> Location:
    return get_object_or_404(Location.objects.active(), pk=pk)


def feed_events_for_location(location: Location, *, past_days: int = 90):
    """Published events of a location for its public iCal feed (cancelled ones as CANCELLED)."""
    since = timezone.now() - dt.timedelta(days=past_days)
    return (
        Event.objects.published()
        .filter(location=location, ends_at__gt=since)
        .select_related("location")
        .order_by("starts_at", "id")
    )


def location_upcoming_events(location: Location, *, limit: int = 5) -> list[Event]:
    return list(
        Event.objects.published()
        .upcoming()
        .filter(location=location, is_cancelled=False)
        .select_related("category")
        .order_by("starts_at", "id")[:limit]
    )


def active_rsvp_for(user, event: Event) -> RSVP | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return RSVP.objects.filter(event=event, member=user, status=RSVPStatus.ACTIVE).first()


def rsvp_list_for(user, *, upcoming: bool = True, now: dt.datetime | None = None):
    """The person's own RSVPs (``user``: a person or their id) — never anyone else's; those
    whose event has not ended by ``now`` (default: now), or with ``upcoming=False`` the rest."""
    qs = (
        RSVP.objects.filter(member=user, status=RSVPStatus.ACTIVE)
        .select_related("event", "event__location")
        .order_by("event__starts_at", "id")
    )
    now = now or timezone.now()
    return qs.filter(event__ends_at__gt=now) if upcoming else qs.filter(event__ends_at__lte=now)


class RSVPEvent:
    """The event of an RSVP row (``rsvp.event.title``...)."""

    __slots__ = ("pk", "title", "starts_at", "is_cancelled", "location")

    def __init__(self, row: dict):
        self.pk = row["event_id"]
        self.title = row["event__title"]
        self.starts_at = row["event__starts_at"]
        self.is_cancelled = row["event__is_cancelled"]
        self.location = Named(row["event__location_id"], row["event__location__name"])

    def __str__(self) -> str:
        return self.title


class RSVPRow:
    """One of the person's RSVPs as their pages show it, read with ``values()``."""

    __slots__ = ("pk", "event")

    def __init__(self, row: dict):
        self.pk = row["pk"]
        self.event = RSVPEvent(row)


def rsvp_rows_for(user, *, upcoming: bool = True, limit: int | None = None) -> list[RSVPRow]:
    """``rsvp_list_for`` as light rows (the fields the RSVP list and dashboard panel show).
    Upcoming RSVPs are few (one per upcoming event at most), so all of them are read."""
    qs = rsvp_list_for(user, upcoming=upcoming).values(
        "pk",
        "event_id",
        "event__title",
        "event__starts_at",
        "event__is_cancelled",
        "event__location_id",
        "event__location__name",
    )
    if not upcoming:
        qs = qs.reverse()
    if limit is not None:
        qs = qs[:limit]
    return [RSVPRow(row) for row in qs]


class PanelRSVP:
    """One of the dashboard panel's RSVPs: its event's link, title and start."""

    __slots__ = ("url", "title", "starts_at")

    def __init__(self, url: str, title: str, starts_at: dt.datetime):
        self.url, self.title, self.starts_at = url, title, starts_at


# The panel's read (``rsvp_list_for``'s first rows, three fields), its statement built once.
_PANEL_RSVPS = PreparedRows(
    lambda member_id, now: rsvp_list_for(member_id, now=now).values_list(
        "event_id", "event__title", "event__starts_at"
    )[:3],
    member_id=int,
    now=dt.datetime,
)


def rsvp_panel_rows(user) -> list[PanelRSVP]:
    """The dashboard's next three RSVPs, as ``rsvp_list_for(user)`` lists them first."""
    url = pk_link("dropin:event-detail")
    return [
        PanelRSVP(url(pk), title, starts_at)
        for pk, title, starts_at in _PANEL_RSVPS.rows(member_id=user.pk, now=timezone.now())
    ]


def seats_left(event: Event) -> int | None:
    return event.seats_left


def categories() -> list[EventCategory]:
    return list(EventCategory.objects.filter(is_active=True))


def event_locations() -> list[Location]:
    return list(Location.objects.active())


def visit_categories() -> list[VisitCategory]:
    return list(VisitCategory.objects.filter(is_active=True))


def local_today() -> dt.date:
    return timezone.localtime(timezone.now(), Organization.get().tzinfo).date()


def visit_totals_for_day(location: Location, day: dt.date) -> dict:
    rows = VisitTally.objects.filter(location=location, date=day).select_related("category")
    by_category = [(row.category, row.count) for row in rows if row.count]
    total = sum(count for _c, count in by_category)
    return {"date": day, "total": total, "by_category": by_category}


def visit_totals_by_location(locations, day: dt.date) -> dict[int, int]:
    """Each location's visit total on ``day``, in one query (the counter's location list)."""
    return dict(
        VisitTally.objects.filter(location__in=locations, date=day)
        .values("location")
        .annotate(total=Sum("count"))
        .values_list("location", "total")
    )


def visit_daily_totals(location: Location, *, days: int = 7) -> list[tuple[dt.date, int]]:
    today = local_today()
    since = today - dt.timedelta(days=days - 1)
    rows = dict(
        VisitTally.objects.filter(location=location, date__gte=since)
        .values("date")
        .annotate(total=Sum("count"))
        .values_list("date", "total")
    )
    return [(day, rows.get(day, 0)) for day in (today - dt.timedelta(days=i) for i in range(days))]

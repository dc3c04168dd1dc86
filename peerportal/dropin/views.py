"""Drop-in views. The calendar, event pages and per-location feeds are public; RSVPs need a
signed-in member; the visit counter and attendance need staff; managing events a coordinator."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.dates import month_neighbours, parse_day, parse_month, week_start
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.models import Location, Organization
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit
from peerportal.core.templatetags.formatting_cache import cached_date

from . import markup, selectors, services
from .exceptions import DropinError, UndoExpired
from .forms import AttendanceForm, CalendarFilterForm, EventCancelForm, EventForm
from .models import VisitCategory
from .permissions import can_manage_events, can_record_attendance

LAST_TAP_KEY = "dropin_last_tap"


# --- public calendar ---------------------------------------------------------------------


def _filters(request):
    form = CalendarFilterForm(request.GET or None)
    filters = form.filters()
    location = None
    if filters["location_id"]:
        location = form.cleaned_data["location"]
    return form, filters, location


def _open_now(location: Location | None) -> bool | None:
    if location is None:
        return None
    return location.is_open_at(timezone.now())


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _group_by_day(events) -> dict[dt.date, list]:
    out: dict[dt.date, list] = {}
    for event in events:
        out.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    return out


def _calendar_context(request, form, location, **extra) -> dict:
    query = request.GET.copy()
    for key in ("year", "month", "start", "page"):
        query.pop(key, None)
    return {
        "filter_form": form,
        "filter_query": query.urlencode(),
        "location": location,
        "open_now": _open_now(location),
        **extra,
    }


@require_GET
def event_list(request):
    form, filters, location = _filters(request)
    events = selectors.event_list_for(request.user, start=timezone.now(), **filters)
    paginator = Paginator(selectors.event_rows(events, counted=True), 20)
    # The same number as counting the rows, without their RSVP-count grouping (half the CPU).
    paginator.count = events.count()
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.as_rows(page.object_list)
    return render(
        request,
        "dropin/event_list.html",
        _calendar_context(
            request,
            form,
            location,
            page=page,
            items=markup.event_list_items(page.object_list),
            view="list",
        ),
    )


def _month_grid(weeks, first: dt.date, today: dt.date) -> list[list[dict]]:
    """The month's cells with their class and day name worked out once here: the same
    markup the template's conditions and ``|date:"l"`` gave (the names remembered, as
    ``|cached_date``), for a fraction of the cost (42 cells)."""
    names = {day.weekday(): cached_date(day, "l") for day, _events in weeks[0]}
    return [
        [
            {
                "events": events,
                "number": day.day,
                "name": names[day.weekday()],
                "css": "".join(
                    (
                        "text-body-secondary day-outside" if day.month != first.month else "",
                        " table-info" if day == today else "",
                        " day-empty" if not events and day != today else "",
                    )
                ),
            }
            for day, events in week
        ]
        for week in weeks
    ]


@require_GET
def calendar_month(request):
    form, filters, location = _filters(request)
    today = timezone.localdate()
    first = parse_month(request.GET.get("year"), request.GET.get("month"), today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks[0][0], weeks[-1][-1] + dt.timedelta(days=1)
    events = selectors.event_list_for(
        request.user,
        start=_local_midnight(grid_start),
        end=_local_midnight(grid_end),
        **filters,
    )
    by_day = _group_by_day(selectors.as_rows(selectors.event_rows(events)))
    prev_month, next_month = month_neighbours(first)
    weeks = [[(day, by_day.get(day, [])) for day in week] for week in weeks]
    return render(
        request,
        "dropin/calendar_month.html",
        _calendar_context(
            request,
            form,
            location,
            view="month",
            month=first,
            prev_month=prev_month,
            next_month=next_month,
            today=today,
            weeks=weeks,
            rows=markup.month_rows(_month_grid(weeks, first, today)),
            month_has_events=any(day.month == first.month for day in by_day),
        ),
    )


@require_GET
def calendar_week(request):
    form, filters, location = _filters(request)
    today = timezone.localdate()
    start = week_start(parse_day(request.GET.get("start"), today))
    end = start + dt.timedelta(days=7)
    events = selectors.event_list_for(
        request.user, start=_local_midnight(start), end=_local_midnight(end), **filters
    )
    by_day = _group_by_day(selectors.as_rows(selectors.event_rows(events)))
    days = [start + dt.timedelta(days=i) for i in range(7)]
    return render(
        request,
        "dropin/calendar_week.html",
        _calendar_context(
            request,
            form,
            location,
            view="week",
            week_start=start,
            week_end=end - dt.timedelta(days=1),
            prev_week=start - dt.timedelta(days=7),
            next_week=end,
            today=today,
            days=[(day, by_day.get(day, [])) for day in days],
        ),
    )


def _rsvp_box_context(request, event) -> dict:
    return {
        "event": event,
        "my_rsvp": selectors.active_rsvp_for(request.user, event),
        "seats_left": selectors.seats_left(event),
        "now": timezone.now(),
    }


@require_GET
def event_detail(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    context = _rsvp_box_context(request, event)
    context.update(
        {
            "open_now": event.location.is_open_at(timezone.now()),
            "can_manage": can_manage_events(request.user),
            "can_record_attendance": can_record_attendance(request.user),
        }
    )
    return render(request, "dropin/event_detail.html", context)


@require_GET
def location_feed(request, pk: int):
    """Public iCal feed of a location's published events, with VTIMEZONE for DST."""
    location = selectors.public_location_get(pk)
    host = request.get_host().split(":")[0] or "peerportal"
    place = ", ".join(p for p in (location.name, location.address, location.city) if p)
    items = [
        IcalEvent(
            uid=f"dropin-event-{event.pk}@{host}",
            start=event.starts_at,
            end=event.ends_at,
            summary=event.title,
            description=event.cancellation_notice if event.is_cancelled else event.description,
            location=place,
            url=request.build_absolute_uri(reverse("dropin:event-detail", args=[event.pk])),
            cancelled=event.is_cancelled,
        )
        for event in selectors.feed_events_for_location(location)
    ]
    tz = Organization.get().tzinfo
    content = build_calendar(location.name, items, tz)
    return ical_response(content, f"location-{location.pk}-events.ics")


# --- RSVPs -------------------------------------------------------------------------------


def _after_rsvp(request, event):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("dropin:event-detail", pk=event.pk)


def _rsvp_response(request, event, *, ok: str | None = None, error: str | None = None):
    if request.htmx:
        event = selectors.event_get_for(request.user, event.pk)  # fresh seat count
        context = _rsvp_box_context(request, event)
        context.update({"box_message": ok or error, "box_error": bool(error)})
        return render(request, "dropin/_rsvp_box.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, ok)
    return _after_rsvp(request, event)


@role_required("member")
@require_POST
@ratelimit("rsvp", rate="30/m")
def rsvp_create(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    try:
        services.rsvp_create(event=event, member=request.user, request=request)
    except DropinError as exc:
        return _rsvp_response(request, event, error=str(exc))
    return _rsvp_response(
        request, event, ok=_("You're going. We'll send you a reminder before it starts.")
    )


@role_required("member")
@require_POST
@ratelimit("rsvp", rate="30/m")
def rsvp_cancel(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    try:
        services.rsvp_cancel(event=event, member=request.user, request=request)
    except DropinError as exc:
        return _rsvp_response(request, event, error=str(exc))
    return _rsvp_response(request, event, ok=_("Your RSVP is cancelled."))


@role_required("member")
@require_GET
def rsvp_list(request):
    # Two reads: every upcoming RSVP (paged here, no COUNT) and the last ten past ones.
    page = Paginator(selectors.rsvp_rows_for(request.user), 20).get_page(request.GET.get("page"))
    past = selectors.rsvp_rows_for(request.user, upcoming=False, limit=10)
    return render(request, "dropin/rsvp_list.html", {"page": page, "past": past})


# --- managing events (coordinators) and attendance (staff) -------------------------------


@role_required("coordinator")
def event_create(request):
    form = EventForm(request.POST or None, initial={"is_published": True})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["rrule"]:
                series = services.series_create(
                    actor=request.user, request=request, **form.series_fields()
                )
                first = series.events.order_by("starts_at").first()
                messages.success(request, _("Repeating event saved."))
                if first is not None:
                    return redirect("dropin:event-detail", pk=first.pk)
                return redirect("dropin:event-list")
            event = services.event_create(
                actor=request.user, request=request, **form.event_fields()
            )
        except DropinError as exc:  # a bound the form could not see (the clock moved on)
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Event saved."))
            return redirect("dropin:event-detail", pk=event.pk)
    return render(request, "dropin/event_form.html", {"form": form, "event": None})


@role_required("coordinator")
def event_edit(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    form = EventForm(request.POST or None, instance=event, allow_repeat=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.user, event=event, request=request, **form.event_fields()
            )
        except DropinError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Event saved."))
            return redirect("dropin:event-detail", pk=event.pk)
    return render(request, "dropin/event_form.html", {"form": form, "event": event})


@role_required("coordinator")
def event_cancel(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    if event.is_cancelled:
        messages.info(request, _("This event is already cancelled."))
        return redirect("dropin:event-detail", pk=event.pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(
            actor=request.user, event=event, notice=form.cleaned_data["notice"], request=request
        )
        messages.success(request, _("The event is cancelled; everyone who RSVP'd is told."))
        return redirect("dropin:event-detail", pk=event.pk)
    return render(request, "dropin/event_cancel.html", {"form": form, "event": event})


@role_required("coordinator")
def series_end(request, pk: int):
    """End a whole series: confirm, then cancel its upcoming events and tell their RSVPs."""
    series = selectors.series_get_active(pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cancelled = services.series_end(
            actor=request.user, series=series, notice=form.cleaned_data["notice"], request=request
        )
        messages.success(
            request,
            ngettext(
                "The series has ended; %(n)s upcoming event was cancelled.",
                "The series has ended; %(n)s upcoming events were cancelled.",
                cancelled,
            )
            % {"n": cancelled},
        )
        return redirect("dropin:event-list")
    return render(
        request,
        "dropin/series_end.html",
        {"form": form, "series": series, "summary": selectors.series_upcoming_summary(series)},
    )


@role_required("staff")
def event_attendance(request, pk: int):
    event = selectors.event_get_for(request.user, pk)
    form = AttendanceForm(
        request.POST or None,
        initial={"attended_count": event.attended_count},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_attendance_record(
                actor=request.user,
                event=event,
                attended_count=form.cleaned_data["attended_count"],
                request=request,
            )
        except DropinError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("dropin:event-detail", pk=event.pk)
    return render(request, "dropin/event_attendance.html", {"form": form, "event": event})


# --- visit counter (staff at the desk) ---------------------------------------------------


@role_required("staff")
@require_GET
def tally_list(request):
    today = selectors.local_today()
    locations = list(Location.objects.active())
    totals = selectors.visit_totals_by_location(locations, today)
    rows = [(loc, totals.get(loc.pk, 0)) for loc in locations]
    return render(request, "dropin/tally_list.html", {"rows": rows, "today": today})


def _last_tap(request, location: Location) -> dict | None:
    tap = request.session.get(LAST_TAP_KEY)
    if not tap or tap.get("location") != location.pk:
        return None
    at = parse_datetime(tap.get("at", ""))
    if at is None or timezone.now() - at > services.UNDO_WINDOW:
        return None
    return {**tap, "at": at}


def _tally_context(request, location: Location, **extra) -> dict:
    today = selectors.local_today()
    return {
        "location": location,
        "today": selectors.visit_totals_for_day(location, today),
        "week": selectors.visit_daily_totals(location, days=7),
        "categories": selectors.visit_categories(),
        "last_tap": _last_tap(request, location),
        "open_now": location.is_open_at(timezone.now()),
        **extra,
    }


def _tally_response(request, location, *, message: str = "", error: bool = False):
    if request.htmx:
        context = _tally_context(request, location, tally_message=message, tally_error=error)
        return render(request, "dropin/_tally_panel.html", context)
    if message:
        (messages.error if error else messages.success)(request, message)
    return redirect("dropin:tally-counter", pk=location.pk)


@role_required("staff")
@require_GET
def tally_counter(request, pk: int):
    location = get_object_or_404(Location.objects.active(), pk=pk)
    return render(request, "dropin/tally_counter.html", _tally_context(request, location))


@role_required("staff")
@require_POST
def tally_tap(request, pk: int):
    location = get_object_or_404(Location.objects.active(), pk=pk)
    category = None
    raw = request.POST.get("category", "")
    if raw:
        if not raw.isdigit():
            return HttpResponseBadRequest()
        category = get_object_or_404(VisitCategory.objects.filter(is_active=True), pk=int(raw))
    tally = services.visit_tap(location=location, category=category)
    request.session[LAST_TAP_KEY] = {
        "location": location.pk,
        "tally": tally.pk,
        "at": timezone.now().isoformat(),
    }
    label = category.name if category else _("Visitor")
    return _tally_response(request, location, message=_("Counted: %(label)s") % {"label": label})


@role_required("staff")
@require_POST
def tally_undo(request, pk: int):
    location = get_object_or_404(Location.objects.active(), pk=pk)
    tap = _last_tap(request, location)
    try:
        if tap is None:
            raise UndoExpired
        services.visit_undo(tally_id=tap["tally"], tapped_at=tap["at"], location=location)
    except DropinError as exc:
        request.session.pop(LAST_TAP_KEY, None)
        return _tally_response(request, location, message=str(exc), error=True)
    request.session.pop(LAST_TAP_KEY, None)
    return _tally_response(request, location, message=_("The last tap was undone."))

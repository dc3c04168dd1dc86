from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerportal.accounts.services import feed_token_value, user_for_feed_token
from peerportal.core.audit import audit_record
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.links import pk_link
from peerportal.core.markup import escape_value
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit
from peerportal.core.templatetags.formatting_cache import cached_date

from .. import permissions, selectors, services, standing, waitlist
from ..exceptions import GroupHasBookings, GroupsError, PlanChanged
from ..forms import (
    DirectoryFilterForm,
    GroupForm,
    GroupPlacesForm,
    SessionCancelForm,
    SessionMoveForm,
    StandingJoinForm,
    StandingPauseForm,
)
from ..models import (
    HORIZON_WEEKS_MAX,
    Attendance,
    Audience,
    BookingStatus,
    GroupFormat,
    GroupSession,
    SessionStatus,
)
from ..planning import plan_lines, schedule_plan


@require_GET
def directory(request):
    # The filters only read their own fields: other parameters (the page) leave them empty,
    # without building a form to find that out.
    fields = DirectoryFilterForm.base_fields
    data = request.GET or None
    submitted = data is not None and any(name in data for name in fields)
    form = DirectoryFilterForm(data) if submitted else None
    filters = form.cleaned_data if form is not None and form.is_valid() else {}
    groups = selectors.group_directory(
        q=filters.get("q") or "",
        topic=filters.get("topic").pk if filters.get("topic") else None,
        fmt=filters.get("format") or "",
        weekday=filters.get("day"),
        language=filters.get("language") or "",
        location=filters.get("location").pk if filters.get("location") else None,
    )
    page = Paginator(groups, 20).get_page(request.GET.get("page"))
    topics, locations = selectors.directory_choices()
    return render(
        request,
        "groups/directory.html",
        {
            "filters": _filter_form_html(data, form, topics, locations),
            "page": page,
            "cards": _directory_cards(_directory_rows(page, topics)),
        },
    )


# The filter form's HTML is the same for everyone who submits the same filters: kept per
# process under everything it shows — the submitted values of its fields (errors follow
# from them and the options), whether it was submitted at all, the topic and location
# options as read for this request, and the language.
_FILTER_FORMS: dict[tuple, str] = {}
_FILTER_FORMS_MAX = 500


def _filter_form_html(data, form, topics, locations) -> SafeString:
    names = DirectoryFilterForm.base_fields
    submitted = tuple((name, tuple(data.getlist(name))) for name in names) if data else ()
    key = (data is not None, submitted, tuple(topics), tuple(locations), translation.get_language())
    kept = _FILTER_FORMS.get(key)
    if kept is None:
        if form is None:  # nothing to filter by: the form as that data shows it
            form = DirectoryFilterForm(data)
            form.is_valid()
        form.set_choices(topics=topics, locations=locations)
        kept = get_template("groups/_directory_filters.html").render({"form": form})
        if len(_FILTER_FORMS) >= _FILTER_FORMS_MAX:
            _FILTER_FORMS.clear()
        _FILTER_FORMS[key] = kept
    return SafeString(kept)  # rendered by the template engine (autoescaped)


def _directory_rows(page, topics) -> list[dict]:
    """The page's groups as the cards show them: labels translated once a request (not
    ``get_FOO_display`` per card, which translates every choice), topics and next session
    read for the page's groups in one query each, links made with one ``reverse()``."""
    groups = list(page.object_list)
    ids = [g["id"] for g in groups]
    topics = selectors.directory_topics(ids, topics) if ids else {}
    next_sessions = selectors.directory_next_sessions(ids) if ids else {}
    formats = {value: str(label) for value, label in GroupFormat.choices}
    languages = {value: str(label) for value, label in settings.LANGUAGES}
    link = pk_link("groups:group-detail")
    rows = []
    for g in groups:
        nxt = next_sessions.get(g["id"])
        if nxt is not None:
            starts_at, capacity, confirmed = nxt
            seats = capacity if capacity is not None else g["capacity"]
            nxt = {"starts_at": starts_at, "full": confirmed >= seats}
        rows.append(
            {
                "name": g["name"],
                "url": link(g["id"]),
                "format": formats.get(g["format"], g["format"]),
                "language": languages.get(g["language"], g["language"]),
                "location": g["location__name"],
                "topics": topics.get(g["id"], ()),
                "description": g["description"],
                "next": nxt,
            }
        )
    return rows


# One directory card, as the template's loop wrote it (a test renders both and compares).
_CARD = (
    '\n  <div class="col-md-6">\n    <article class="card h-100">\n      <div class="card-body">\n'
    '        <h2 class="h5 card-title"><a href="{url}">{name}</a></h2>\n'
    '        <p class="mb-1 small">{format} · {language}{location}</p>\n'
    '        <p class="mb-2">{topics}</p>\n'
    '        <p class="card-text">{description}</p>\n'
    "        \n          {next}\n        \n"
    "      </div>\n    </article>\n  </div>\n"
)
_TOPIC = '<span class="badge text-bg-light border me-1">{}</span>'


def _directory_cards(rows: list[dict]) -> SafeString:
    """The cards' HTML made here in one pass (the template's loop ran ≈ 30 nodes a card):
    every value from the database is escaped; translated literals go in as they are, as
    ``{% translate %}`` puts them in."""
    esc = escape_value
    next_label = _("Next:")
    state = {True: _("full — waitlist open"), False: _("places available")}
    none = (
        f'<p class="mb-0 small text-body-secondary">{_("No sessions in the next two weeks.")}</p>'
    )
    tz = timezone.get_current_timezone()
    cards = []
    for row in rows:
        nxt = row["next"]
        if nxt:
            when = cached_date(timezone.localtime(nxt["starts_at"], tz), "l j F, H:i")
            nxt = (
                f'<p class="mb-0 small"><strong>{next_label}</strong> {esc(when)} ·\n'
                f"            {state[bool(nxt['full'])]}</p>\n          "
            )
        cards.append(
            _CARD.format(
                url=esc(row["url"]),
                name=esc(row["name"]),
                format=esc(row["format"]),
                language=esc(row["language"]),
                location=f" · {esc(row['location'])}" if row["location"] else "",
                topics="".join([_TOPIC.format(esc(topic)) for topic in row["topics"]]),
                description=esc(Truncator(row["description"]).words(30, truncate=" …")),
                next=nxt or none,
            )
        )
    return SafeString("".join(cards))


def _session_rows(request, sessions, *, csrf_token: str, preview: bool = False):
    booked = [s for s in sessions if getattr(s, "viewer_booked", True)]
    bookings = selectors.active_bookings_by_session(request.user, booked)
    now = timezone.now()
    # What a kept box depends on besides the session (looked up once, not per row).
    viewer = (
        request.user.is_authenticated,
        translation.get_language(),
        str(timezone.get_current_timezone()),
        get_script_prefix(),
    )
    rows = []
    for session in sessions:
        booking = bookings.get(session.pk)
        row = _box_context(request, session, booking, now)
        if preview:  # nothing can be booked from a preview (the booking view would 404 anyway)
            row["can_book"] = False
        if booking is None:
            row["html"] = _public_box(request, row, csrf_token, viewer)
        rows.append(row)
    return rows


# A session's booking box for someone without a booking in it shows only public facts (the
# times, seats left, whether booking is open): the same HTML for everyone, so it is kept per
# process, keyed by every value _booking_box.html reads for such a row. The CSRF token is
# the one personal part: rendered as a placeholder and put in per request.
_PUBLIC_BOXES: dict[tuple, str] = {}
_PUBLIC_BOXES_MAX = 4096
_CSRF_PLACEHOLDER = "csrf-token-placeholder-3f9c1d"


def _public_box(request, row: dict, csrf_token: str, viewer: tuple) -> str:
    session = row["session"]
    key = (
        session.pk,
        session.starts_at,
        session.ends_at,
        session.status,
        session.notice,
        session.booking_opens_at(),
        row["seats_left"],
        row["can_book"],
        row["not_open_yet"],
        viewer,  # signed in, language, time zone, script prefix
    )
    html = _PUBLIC_BOXES.get(key)
    if html is None:
        html = get_template("groups/_booking_box.html").render(
            {**row, "user": request.user, "csrf_token": _CSRF_PLACEHOLDER}
        )
        if len(_PUBLIC_BOXES) >= _PUBLIC_BOXES_MAX:
            _PUBLIC_BOXES.clear()
        _PUBLIC_BOXES[key] = html
    # Rendered by the template engine (autoescaped); the token is alphanumeric.
    return SafeString(html.replace(_CSRF_PLACEHOLDER, csrf_token))


def _open_offer(booking, now):
    """The booking's open offer still within its time (lapsed ones are passed on lazily)."""
    offers = getattr(booking, "open_offers", None) if booking is not None else None
    return next((o for o in offers or () if o.is_open(now)), None)


def _box_context(request, session, booking, now=None) -> dict:
    now = now or timezone.now()
    if hasattr(session, "confirmed_count"):
        held = session.confirmed_count + session.offered_count
    else:
        held = session.bookings.confirmed().count() + session.offers.filter(status="open").count()
    seats_left = max(0, session.seats - held)
    return {
        "session": session,
        "booking": booking,
        "offer": _open_offer(booking, now),
        "seats_left": seats_left,
        "position": services.waitlist_position(booking) if booking else None,
        "not_open_yet": now < session.booking_opens_at(),
        "can_book": not session.is_cancelled
        and session.booking_opens_at() <= now < session.booking_closes_at(),
        "can_cancel": booking is not None
        and (booking.status == BookingStatus.WAITLISTED or now < session.cancellation_cutoff_at()),
        "show_link": booking is not None
        and permissions.can_see_link(request.user, session, booking, now),
    }


@require_GET
def group_detail(request, pk: int):
    group, preview = selectors.group_get_for_viewer(request.user, pk)
    # One token for the whole page (as the context processor gives), put into the kept boxes.
    csrf_token = get_token(request)
    sessions = selectors.group_page_sessions(group, viewer=request.user)
    rows = _session_rows(request, sessions, csrf_token=csrf_token, preview=preview)
    context = {
        "group": group,
        # get_FOO_display would translate every choice of each field to show one.
        "labels": {
            "format": _label(GroupFormat.choices, group.format),
            "language": _label(settings.LANGUAGES, group.language),
            "audience": _label(Audience.choices, group.audience),
        },
        "topics": selectors.group_topic_names(group),
        "rows": rows,
        "preview": preview,
        "csrf_token": csrf_token,
    }
    if preview:
        context["next_dates"] = _next_dates(group)
    elif group.standing_places_allowed:
        context["standing_place"] = selectors.standing_place_in_group(request.user, group)
        context["standing_form"] = StandingJoinForm()
    return render(request, "groups/group_detail.html", context)


def _label(choices, value) -> str:
    """``get_FOO_display``'s text for ``value``, translating only that label."""
    return str(dict(choices).get(value, value))


def _next_dates(group, count: int = 8) -> list[dict]:
    """The schedule's next dates in local time, for previews (no sessions are created)."""
    tz = Organization.get().tzinfo
    now = timezone.now()
    try:
        occurrences = group.planned_occurrences(
            tz=tz, window_start=now, window_end=now + dt.timedelta(weeks=HORIZON_WEEKS_MAX * 2)
        )
    except ValidationError:
        return []
    return [
        {"starts": timezone.localtime(o.start, tz), "ends": timezone.localtime(o.end, tz)}
        for o in occurrences[:count]
    ]


def _booking_response(request, session, *, ok: str = "", error: str = ""):
    if request.htmx:
        session = selectors.session_get_public(session.pk)
        booking = selectors.active_bookings_by_session(request.user, [session]).get(session.pk)
        context = _box_context(request, session, booking)
        context.update({"box_message": error or ok, "box_error": bool(error)})
        return render(request, "groups/_booking_box.html", context)
    (messages.error if error else messages.success)(request, error or ok)
    return redirect(
        reverse("groups:group-detail", args=[session.group_id]) + f"#session-{session.pk}"
    )


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def booking_create(request, pk: int):
    # The service's locked read checks the group is public (the 404 below); the session is
    # read again only to answer an error.
    try:
        booking = services.booking_create(
            session=pk, member=request.user, request=request, public_only=True
        )
    except GroupSession.DoesNotExist:
        raise Http404 from None
    except GroupsError as exc:
        return _booking_response(request, selectors.session_get_public(pk), error=str(exc))
    session = booking.session
    if booking.status == BookingStatus.CONFIRMED:
        ok = _("You're booked. A confirmation email is on its way.")
    else:
        ok = _(
            "This session is full, so you're on the waitlist. We'll email you if a place opens up."
        )
    return _booking_response(request, session, ok=ok)


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def booking_cancel(request, pk: int):
    booking = selectors.booking_get_for(request.user, pk)
    try:
        services.booking_cancel(booking=booking, actor=request.user, request=request)
    except GroupsError as exc:
        return _booking_response(request, booking.session, error=str(exc))
    if request.POST.get("next") == "bookings":
        messages.success(request, _("Your booking was cancelled."))
        return redirect("groups:booking-list")
    return _booking_response(request, booking.session, ok=_("Your booking was cancelled."))


def _page(queryset, per_page: int, request):
    """``Paginator(queryset, per_page).get_page(…)`` without its COUNT query when the first
    page holds everything (most people's lists): one row more is read to know."""
    number = request.GET.get("page")
    if number in (None, "", "1"):
        rows = list(queryset[: per_page + 1])
        if len(rows) <= per_page:
            return Paginator(rows, per_page).get_page(1)
    return Paginator(queryset, per_page).get_page(number)


@require_GET
@role_required("member")
def booking_list(request):
    upcoming = list(selectors.booking_list_for(request.user))
    selectors.booking_waitlist_details(upcoming)
    past = _page(selectors.booking_list_for(request.user, upcoming=False), 20, request)
    # Labels translated once a request (get_FOO_display translates every choice per row).
    statuses = {value: str(label) for value, label in BookingStatus.choices}
    attendance = {value: str(label) for value, label in Attendance.choices}
    past.object_list = [
        {
            "group_name": b["session__group__name"],
            "starts_at": b["session__starts_at"],
            "cancelled": b["session__status"] == SessionStatus.CANCELLED,
            "confirmed": b["status"] == BookingStatus.CONFIRMED,
            "status": statuses.get(b["status"], b["status"]),
            "attendance": attendance.get(b["attendance"], b["attendance"]),
        }
        for b in past.object_list
    ]
    now = timezone.now()
    rows = [
        {
            "booking": b,
            "offer": _open_offer(b, now),
            "position": services.waitlist_position(b),
            "show_link": permissions.can_see_link(request.user, b.session, b, now),
            "can_cancel": b.status == BookingStatus.WAITLISTED
            or now < b.session.cancellation_cutoff_at(),
        }
        for b in upcoming
    ]
    # One token for the whole page (as the context processor gives), in every row's forms.
    csrf_token = get_token(request)
    token = feed_token_value(user=request.user)
    feed_url = request.build_absolute_uri(reverse("groups:booking-feed", args=[token]))
    return render(
        request,
        "groups/booking_list.html",
        {
            "rows": rows,
            "upcoming": _upcoming_rows_html(rows, csrf_token),
            "page": past,
            "feed_url": feed_url,
            "csrf_token": csrf_token,
        },
    )


# My bookings' upcoming rows, as the template's loop wrote them (a test renders both).
_UPCOMING_ROW = (
    "\n    <tr>\n"
    '      <td><a href="{url}">{name}</a>{link}</td>\n'
    '      <td>{when} <span class="small">{tz}</span>{cancelled}</td>\n'
    "      <td>{status}</td>\n"
    "      <td>{actions}</td>\n"
    "    </tr>\n  "
)


def _upcoming_rows_html(rows: list[dict], csrf_token: str) -> SafeString:
    """My bookings' upcoming rows made here in one pass (the template's loop ran ≈ 40 nodes
    and three ``{% url %}`` a row): values from the database escaped, translated literals
    put in as ``{% translate %}`` puts them, the same token in every form."""
    if not rows:
        return SafeString("")
    esc = escape_value
    group_link = pk_link("groups:group-detail")
    cancel_link = pk_link("groups:booking-cancel")
    accept_link = decline_link = None  # made when a row holds an offer (few do)
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
    tz = timezone.get_current_timezone()

    def shown(value, fmt: str) -> str:  # ``{{ value|cached_date:fmt }}``
        return esc(cached_date(timezone.localtime(value, tz), fmt))

    join = _("Join the online session")
    cancelled_badge = f' <span class="badge text-bg-danger">{_("Cancelled")}</span>'
    booked = _("Booked")
    held = _("A place is held for you")
    take, let_go = _("Take the place"), _("Let it go")
    cancel_confirm = _("Cancel this booking?")
    skip, cancel = _("Skip this date"), _("Cancel")
    out = []
    for row in rows:
        b = row["booking"]
        session = b.session
        group = session.group
        offer = row["offer"]
        is_cancelled = session.is_cancelled
        link = ""
        if row["show_link"]:
            link = f'<br><a href="{esc(group.virtual_link)}" rel="noopener">{join}</a>'
        if b.status == BookingStatus.CONFIRMED:
            status = booked
            if group.is_virtual and not row["show_link"] and not is_cancelled:
                status += (
                    '<br><span class="small">'
                    + _("The meeting link appears here at %(at)s (%(tz)s).")
                    % {
                        "at": shown(session.link_visible_from(), "D j M, H:i"),
                        "tz": shown(session.starts_at, "T"),
                    }
                    + "</span>"
                )
            status += "\n        "
        elif offer:
            status = (
                f'<strong>{held}</strong><br><span class="small">'
                + _("Take it or let it go by %(until)s (%(tz)s).")
                % {
                    "until": shown(offer.expires_at, "D j M, H:i"),
                    "tz": shown(offer.expires_at, "T"),
                }
                + "</span>\n        "
            )
        else:
            status = _("You're number %(n)s in line") % {
                "n": esc(formats.localize(row["position"]))
            }
        if offer:
            if accept_link is None:
                accept_link = pk_link("groups:offer-accept")
                decline_link = pk_link("groups:offer-decline")
            actions = (
                f'\n        <form method="post" action="{accept_link(offer.pk)}" class="d-inline">'
                f'{token}<button class="btn btn-primary btn-sm" type="submit">{take}</button></form>'
                f'\n        <form method="post" action="{decline_link(offer.pk)}" class="d-inline">'
                f'{token}<button class="btn btn-outline-secondary btn-sm" type="submit">'
                f"{let_go}</button></form>\n        "
            )
        elif row["can_cancel"] and not is_cancelled:
            label = skip if b.standing_place_id and b.status == BookingStatus.CONFIRMED else cancel
            actions = (
                f'\n        <form method="post" action="{cancel_link(b.pk)}"'
                f' data-confirm="{cancel_confirm}">{token}'
                '<input type="hidden" name="next" value="bookings">\n'
                f'          <button class="btn btn-outline-danger btn-sm" type="submit">{label}'
                "</button></form>"
            )
        else:
            actions = ""
        out.append(
            _UPCOMING_ROW.format(
                url=group_link(session.group_id),
                name=esc(group.name),
                link=link,
                when=shown(session.starts_at, "D j M Y, H:i"),
                tz=shown(session.starts_at, "T"),
                cancelled=cancelled_badge if is_cancelled else "",
                status=status,
                actions=actions,
            )
        )
    return SafeString("".join(out))


# --- Waitlist offers ----------------------------------------------------------------------
def _offer_answer(request, offer, member, answer: str) -> tuple[str, bool]:
    """Accept or decline; returns (message, ok)."""
    try:
        if answer == "accept":
            waitlist.waitlist_offer_accept(offer=offer, member=member, request=request)
            return _("The place is yours. A confirmation email is on its way."), True
        if answer == "decline":
            waitlist.waitlist_offer_decline(offer=offer, member=member, request=request)
            return _("Thank you for letting us know. The place goes to the next person."), True
    except GroupsError as exc:
        return str(exc), False
    return _("Please choose whether to take the place."), False


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def offer_accept(request, pk: int):
    offer = selectors.offer_get_for(request.user, pk)
    message, ok = _offer_answer(request, offer, request.user, "accept")
    (messages.success if ok else messages.error)(request, message)
    return redirect("groups:booking-list")


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def offer_decline(request, pk: int):
    offer = selectors.offer_get_for(request.user, pk)
    message, ok = _offer_answer(request, offer, request.user, "decline")
    (messages.success if ok else messages.error)(request, message)
    return redirect("groups:booking-list")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("offer-link", rate="30/m")
def offer_respond(request, token: str):
    """Public: the signed link from the offer email is the authority (GET asks, POST acts).

    The offer's own state makes the link one-time: once answered or lapsed it only says so.
    """
    pk = waitlist.offer_id_from_token(token)
    if pk is None:
        raise Http404
    offer = selectors.offer_get_by_id(pk)
    context = {
        "offer": offer,
        "session": offer.session,
        "is_open": offer.is_open(timezone.now()),
        "time_zone": Organization.get().tzinfo,
    }
    if request.method == "POST":
        message, ok = _offer_answer(
            request, offer, offer.booking.member, request.POST.get("answer", "")
        )
        context.update({"message": message, "ok": ok, "is_open": False, "answered": True})
    return render(request, "groups/offer_respond.html", context)


# --- Standing places ----------------------------------------------------------------------
@require_GET
@role_required("member")
def standing_list(request):
    places = selectors.standing_place_list_for(request.user)
    today = timezone.localdate()
    return render(
        request,
        "groups/standing_list.html",
        {"places": places, "pause_form": StandingPauseForm(today=today)},
    )


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def standing_join(request, pk: int):
    group = selectors.group_get_public(pk)
    form = StandingJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose every week or every other week."))
        return redirect("groups:group-detail", pk=group.pk)
    try:
        standing.standing_place_join(
            group=group, member=request.user, cadence=form.cleaned_data["cadence"], request=request
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
        return redirect("groups:group-detail", pk=group.pk)
    messages.success(
        request,
        _(
            "You hold a standing place. Your seats are in My bookings; skip any date you can't make."
        ),
    )
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_pause(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    form = StandingPauseForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return redirect("groups:standing-list")
    try:
        standing.standing_place_pause(
            place=place, member=request.user, request=request, **form.cleaned_data
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your standing place is paused for those dates."))
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_leave(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    try:
        standing.standing_place_leave(place=place, member=request.user, request=request)
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You left your standing place. Its coming seats go to others."))
    return redirect("groups:standing-list")


@require_POST
@role_required("member")
def standing_keep(request, pk: int):
    place = selectors.standing_place_get_for(request.user, pk)
    try:
        standing.standing_place_keep(place=place, member=request.user, request=request)
    except GroupsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you. Your standing place is kept."))
    return redirect("groups:standing-list")


@require_GET
def booking_feed(request, token: str):
    """A person's confirmed bookings as iCalendar; the secret token is the only key."""
    user = user_for_feed_token(token)
    if user is None:
        raise Http404
    bookings = selectors.booking_feed_for(user)
    events = [
        IcalEvent(
            uid=f"group-session-{b.session_id}@peerportal",
            start=b.session.starts_at,
            end=b.session.ends_at,
            summary=b.session.group.name,
            location=str(b.session.group.location or ""),
            cancelled=b.session.is_cancelled,
        )
        for b in bookings
    ]
    return ical_response(
        build_calendar(_("My support groups"), events, Organization.get().tzinfo), "groups.ics"
    )


# --- Facilitators -----------------------------------------------------------------------
@require_GET
@role_required("staff")
def facilitator_sessions(request):
    sessions = Paginator(selectors.sessions_facilitated_by(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/facilitator_sessions.html", {"page": sessions})


@require_GET
@role_required("staff")
def session_roster(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    # Who attends a support group is health information: reading a roster is audited.
    audit_record(actor=request.user, action="session.roster_read", obj=session, request=request)
    return render(
        request,
        "groups/roster.html",
        {
            "session": session,
            "roster": selectors.roster(session),
            "attendance": Attendance.choices,
            "attendance_open": session.attendance_is_open(timezone.now()),
            "show_link": permissions.can_see_link(request.user, session),
        },
    )


@require_POST
@role_required("staff")
def attendance_mark(request, pk: int):
    booking = selectors.booking_get_for_facilitator(request.user, pk)
    try:
        booking = services.attendance_mark(
            actor=request.user,
            booking=booking,
            attendance=request.POST.get("attendance", ""),
            request=request,
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
        return redirect("groups:session-roster", pk=booking.session_id)
    if request.htmx:
        return render(
            request,
            "groups/_attendance_row.html",
            {"row": booking, "attendance": Attendance.choices, "attendance_open": True},
        )
    messages.success(request, _("Attendance saved."))
    return redirect("groups:session-roster", pk=booking.session_id)


# --- Coordinators -----------------------------------------------------------------------
@require_GET
@role_required("coordinator")
def group_manage_list(request):
    page = Paginator(selectors.group_list_for_coordinator(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/group_manage_list.html", {"page": page})


@role_required("coordinator")
def group_edit(request, pk: int | None = None):
    """Create or edit a group. When an edit changes existing sessions, the coordinator first
    sees exactly what will happen (moves, cancellations, removals, new sessions) and
    confirms; the confirmation carries the plan's fingerprint so a booking made meanwhile
    shows the new plan instead of applying a different one."""
    group = selectors.group_get_for_coordinator(request.user, pk) if pk else None
    form = GroupForm(request.POST or None, instance=group)
    context = {"form": form, "group": group}
    if request.method == "POST" and form.is_valid():
        edited = form.instance
        tz = Organization.get().tzinfo
        plan = schedule_plan(group=edited, tz=tz) if edited.pk else None
        confirmed = request.POST.get("confirm_plan")
        if plan is not None and plan.touches_existing and confirmed != plan.fingerprint():
            if confirmed:
                messages.warning(request, str(PlanChanged.message))
            return render(
                request,
                "groups/group_confirm_schedule.html",
                {**context, "plan": plan, "plan_lines": plan_lines(plan, edited, tz)},
            )
        try:
            plan = services.group_save(
                actor=request.user,
                group=edited,
                topics=form.cleaned_data["topics"],
                facilitators=form.cleaned_data["facilitators"],
                expected_plan=confirmed or None,
                request=request,
            )
        except PlanChanged as exc:  # someone booked meanwhile: show the plan as it is now
            messages.warning(request, str(exc))
            plan = schedule_plan(group=edited, tz=tz)
            return render(
                request,
                "groups/group_confirm_schedule.html",
                {**context, "plan": plan, "plan_lines": plan_lines(plan, edited, tz)},
            )
        except GroupsError as exc:
            form.add_error(None, str(exc))
            return render(request, "groups/group_form.html", context)
        messages.success(request, _("Group saved."))
        for line in plan_lines(plan, edited, tz, with_dates=False):
            messages.info(request, line["text"])
        return redirect("groups:group-manage-list")
    if group is not None:
        context["summary"] = group.schedule_summary()
        context["next_dates"] = _next_dates(group)
    return render(request, "groups/group_form.html", context)


@require_POST
@role_required("coordinator")
def schedule_preview(request):
    """HTMX: the schedule builder's summary and next dates for the form as it is now."""
    pk = request.POST.get("group") or ""
    group = selectors.group_get_for_coordinator(request.user, int(pk)) if pk.isdigit() else None
    form = GroupForm(request.POST, instance=group)
    form.is_valid()
    schedule_fields = set(GroupForm.SCHEDULE_FIELDS)
    # Fields not filled in yet are not mistakes while the coordinator is still typing.
    errors = [
        message
        for name, errs in form.errors.as_data().items()
        if name in schedule_fields
        for error in errs
        if error.code != "required"
        for message in error.messages
    ]
    missing = any(name in schedule_fields for name in form.errors)
    context = {"errors": errors}
    if not errors and not missing and getattr(form, "schedule", None) is not None:
        edited = form.instance
        context["summary"] = edited.schedule_summary()
        context["next_dates"] = _next_dates(edited)
    return render(request, "groups/_schedule_preview.html", context)


@role_required("coordinator")
def group_archive(request, pk: int):
    group = selectors.group_get_for_coordinator(request.user, pk)
    if group.is_archived:
        messages.info(request, _("This group is already archived."))
        return redirect("groups:group-manage-list")
    tz = Organization.get().tzinfo
    if request.method == "POST":
        plan = services.group_archive(actor=request.user, group=group, request=request)
        messages.success(request, _("The group is archived."))
        for line in plan_lines(plan, group, tz, with_dates=False):
            messages.info(request, line["text"])
        return redirect("groups:group-manage-list")
    plan = schedule_plan(group=group, tz=tz, keep_schedule=False)
    return render(
        request,
        "groups/group_archive.html",
        {"group": group, "plan": plan, "plan_lines": plan_lines(plan, group, tz)},
    )


@role_required("coordinator")
def group_delete(request, pk: int):
    group = selectors.group_get_for_coordinator(request.user, pk)
    has_bookings = selectors.group_has_bookings(group)
    if request.method == "POST" and not has_bookings:
        try:
            services.group_delete(actor=request.user, group=group, request=request)
        except GroupsError as exc:
            messages.error(request, str(exc))
            return redirect("groups:group-delete", pk=pk)
        messages.success(request, _("The group was deleted."))
        return redirect("groups:group-manage-list")
    if request.method == "POST":
        messages.error(request, str(GroupHasBookings.message))
    return render(
        request,
        "groups/group_delete.html",
        {"group": group, "has_bookings": has_bookings, "sessions": group.sessions.count()},
    )


@role_required("coordinator")
def session_cancel(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.session_cancel(
            actor=request.user, session=session, notice=form.cleaned_data["notice"], request=request
        )
        messages.success(request, _("The session was cancelled and booked members were told."))
        return redirect("groups:session-roster", pk=session.pk)
    return render(request, "groups/session_cancel.html", {"form": form, "session": session})


@role_required("coordinator")
def session_move(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    tz = Organization.get().tzinfo
    local_start = timezone.localtime(session.starts_at, tz)
    form = SessionMoveForm(
        request.POST or None,
        initial={
            "date": local_start.date(),
            "start": local_start.time(),
            "end": timezone.localtime(session.ends_at, tz).time(),
        },
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_move(
                actor=request.user,
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                notice=form.cleaned_data["notice"],
                request=request,
            )
        except GroupsError as exc:
            form.add_error(None, str(exc))
            return render(request, "groups/session_move.html", {"form": form, "session": session})
        messages.success(request, _("The session was moved and booked members were told."))
        return redirect("groups:session-roster", pk=session.pk)
    return render(request, "groups/session_move.html", {"form": form, "session": session})


@role_required("coordinator")
def group_places_edit(request, pk: int):
    """Waitlist offers and standing places for one group (a form apart from the schedule)."""
    group = selectors.group_get_for_coordinator(request.user, pk)
    form = GroupPlacesForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            standing.group_places_update(actor=request.user, group=form.instance, request=request)
        except GroupsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Place settings saved."))
            return redirect("groups:group-manage-list")
    return render(request, "groups/group_places_form.html", {"form": form, "group": group})


@require_GET
@role_required("coordinator")
def group_sessions_overview(request, pk: int):
    """Who is coming to each session: regulars, one-offs, the waitlist and open offers."""
    group = selectors.group_get_for_coordinator(request.user, pk)
    page = Paginator(
        selectors.group_sessions_attendance_for_coordinator(request.user, group), 25
    ).get_page(request.GET.get("page"))
    return render(request, "groups/group_sessions_overview.html", {"group": group, "page": page})

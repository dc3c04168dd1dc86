"""Booking and cancelling a seat, My bookings and its calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.accounts.services import feed_token_value, user_for_feed_token
from peerportal.core.ical import IcalEvent, build_calendar, ical_response
from peerportal.core.links import pk_link
from peerportal.core.markup import escape_value
from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit
from peerportal.core.templatetags.formatting_cache import cached_date

from .. import permissions, selectors, services
from ..exceptions import GroupsError
from ..models import Attendance, BookingStatus, GroupSession, SessionStatus
from ._common import _box_context, _open_offer


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

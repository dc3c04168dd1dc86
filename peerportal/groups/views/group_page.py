"""A group's page: its sessions' booking boxes (kept per process for rows without a booking)."""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import StandingJoinForm
from ..models import Audience, GroupFormat
from ._common import _box_context, _next_dates


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

"""The pages `make bench` measures, printed as JSON for bench/load.py (run via manage.py shell)."""

from __future__ import annotations

import json

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.sessions import cookies_for
from peerportal.accounts.models import User


def _members(n: int):
    return list(
        User.objects.filter(
            role="member", is_active=True, email__endswith="@large.peerportal.test"
        )[:n]
    )


def _page(label: str, url_name: str, *, args=(), cookies=None) -> dict | None:
    try:
        path = reverse(url_name, args=args)
    except NoReverseMatch:
        return None
    return {"label": label, "path": path, "method": "GET", "cookies": cookies or []}


def plans() -> list[dict]:
    members = cookies_for(_members(20))
    staff = cookies_for(
        User.objects.filter(role="peer_specialist", email__endswith="@large.peerportal.test")[:5]
    )
    out = [
        {"label": "/healthz", "path": "/healthz", "method": "GET", "cookies": []},
        _page("home (anonymous)", "core:home"),
        _page("locations", "core:location-list"),
        _page("dashboard (member)", "core:dashboard", cookies=members),
        _page("dashboard (staff)", "core:dashboard", cookies=staff),
        _page("events list", "dropin:event-list"),
        _page("events month", "dropin:calendar-month"),
        _page("my RSVPs", "dropin:rsvp-list", cookies=members),
        _page("my reminders", "reminders:reminder-list", cookies=members),
    ]
    from peerportal.dropin.models import Event

    event = (
        Event.objects.filter(starts_at__gte=timezone.now(), is_published=True)
        .order_by("starts_at")
        .first()
    )
    if event is not None:
        out.append(_page("event page", "dropin:event-detail", args=[event.pk]))
    out.extend(_group_plans(members))
    out.extend(
        [
            _page("warm-line board (staff)", "warmline:board", cookies=staff),
            _page("my shifts (staff)", "warmline:my-shifts", cookies=staff),
            _page("call log (staff)", "warmline:call-list", cookies=staff),
            _page("my training (staff)", "certification:progress", cookies=staff),
        ]
    )
    # The demo supervisor supervises the 80 large-scale staff (and has an authenticator).
    supervisor = cookies_for(User.objects.filter(email="supervisor@demo.peerportal.test"))
    if supervisor:
        out.extend(
            [
                _page(
                    "review queue (supervisor)", "certification:review-queue", cookies=supervisor
                ),
                _page("team (supervisor)", "certification:team", cookies=supervisor),
                _page(
                    "warm-line reports (supervisor)",
                    "reports:warmline:overview",
                    cookies=supervisor,
                ),
            ]
        )
    return [p for p in out if p]


def _group_plans(members) -> list[dict]:
    """Support-group pages and booking POSTs, once the groups app provides them."""
    try:
        from bench.groups import plans as group_plans
    except ImportError:
        return []
    # Booking POSTs rotate through many members, one booking each (see locustfile.py).
    return group_plans(members, booking_cookies=cookies_for(_members(2000)[20:]))


def emit() -> None:
    print(json.dumps(plans()))

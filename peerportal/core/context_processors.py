from __future__ import annotations

from functools import partial

from .models import Organization
from .navigation import (
    bar_breakpoint,
    language_options_html,
    menus_for,
    menus_html,
    nav_for,
)


def portal(request):
    user = getattr(request, "user", None)
    if user is None:
        return {
            "organization": Organization.get(),
            "nav_items": [],
            "nav_menus": [],
            "nav_menus_html": "",
            "language_options_html": language_options_html,
        }
    menus, account_items = menus_for(user, request.path)
    return {
        "organization": Organization.get(),
        # Only the home page lists them: worked out when a template reads them.
        "nav_items": partial(nav_for, user),
        "nav_menus": menus,
        "nav_menus_html": partial(menus_html, user, menus),
        "nav_account_items": account_items,
        "nav_expand": bar_breakpoint(menus),
        "language_options_html": language_options_html,
    }

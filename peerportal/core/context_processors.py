from __future__ import annotations

from .models import Organization
from .navigation import menus_for, nav_for

# Above this many entries the bar collapses below the extra-large breakpoint (1200 px)
# rather than the large one (992 px), so it never needs more room than it has.
COMPACT_BAR_ENTRIES = 4


def portal(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"organization": Organization.get(), "nav_items": [], "nav_menus": []}
    menus, account_items = menus_for(user, request.path)
    return {
        "organization": Organization.get(),
        "nav_items": nav_for(user),
        "nav_menus": menus,
        "nav_account_items": account_items,
        "nav_expand": "xl" if len(menus) >= COMPACT_BAR_ENTRIES else "lg",
    }

from __future__ import annotations

from .models import Organization
from .navigation import bar_breakpoint, menus_for, nav_for


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
        "nav_expand": bar_breakpoint(menus),
    }

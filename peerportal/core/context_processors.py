from __future__ import annotations

from .models import Organization
from .navigation import nav_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "organization": Organization.get(),
        "nav_items": nav_for(user) if user is not None else [],
    }

"""Menu entries and dashboard panels, registered by each app in its AppConfig.ready().

Keeping the registry here lets every app add to the navigation and the dashboard
without editing core's templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import has_role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    role: str | None  # None: everyone, anonymous included; else a group for has_role
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class DashboardPanel:
    template: str
    role: str
    order: int = 100
    context: Callable | None = field(default=None, compare=False)


_nav: list[NavItem] = []
_panels: list[DashboardPanel] = []


def register_nav(label, url_name: str, role: str | None, order: int = 100) -> None:
    item = NavItem(label, url_name, role, order)
    if item not in _nav:
        _nav.append(item)


def register_panel(
    template: str, role: str, order: int = 100, context: Callable | None = None
) -> None:
    """``context(request)`` returns the panel's template context."""
    panel = DashboardPanel(template, role, order, context)
    if panel not in _panels:
        _panels.append(panel)


def nav_for(user) -> list[NavItem]:
    return sorted(
        (i for i in _nav if i.role is None or has_role(user, i.role)),
        key=lambda i: (i.order, str(i.label)),
    )


def panels_for(request) -> list[dict]:
    out = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if has_role(request.user, panel.role):
            ctx = panel.context(request) if panel.context else {}
            out.append({"template": panel.template, "context": ctx})
    return out


register_nav(_("Locations"), "core:location-list", None, order=80)
register_nav(_("People"), "accounts:people-list", "coordinator", order=900)
register_nav(_("Organization"), "core:organization-edit", "coordinator", order=910)
register_nav(_("Audit log"), "core:audit-list", "coordinator", order=920)

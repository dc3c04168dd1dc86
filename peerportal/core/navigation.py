"""Menus, menu entries and dashboard panels, registered by each app in its AppConfig.ready().

Keeping the registry here lets every app add to the navigation and the dashboard
without editing core's templates.

The top bar shows a few **menus** (one per area: Groups, Drop-in, Warm line, Training,
Admin), each a dropdown of the entries that person's role may open. A menu with one
visible entry is shown as a plain link, and a menu with none is not shown, so a visitor
sees a short bar and a coordinator sees the same areas with more in each. Entries in the
``account`` menu go to the account dropdown (beside profile, data and sign out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .permissions import has_role

ACCOUNT_MENU = "account"


@dataclass(frozen=True)
class NavMenu:
    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    role: str | None  # None: everyone, anonymous included; else a group for has_role
    order: int = 100
    menu: str | None = None  # a registered NavMenu key; None: a top-level link
    description: str | None = field(default=None, compare=False)  # for the home page cards

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass
class MenuEntry:
    """One place in the top bar as rendered for one person: a link or a dropdown."""

    key: str
    label: str
    items: list[dict]
    active: bool

    @property
    def is_dropdown(self) -> bool:
        return len(self.items) > 1

    @property
    def url(self) -> str:
        return self.items[0]["url"]


@dataclass(frozen=True)
class DashboardPanel:
    template: str
    role: str
    order: int = 100
    context: Callable | None = field(default=None, compare=False)


_menus: dict[str, NavMenu] = {}
_nav: list[NavItem] = []
_panels: list[DashboardPanel] = []


def register_menu(key: str, label, order: int = 100) -> None:
    _menus.setdefault(key, NavMenu(key, label, order))


def register_nav(
    label,
    url_name: str,
    role: str | None,
    order: int = 100,
    *,
    menu: str | None = None,
    description=None,
) -> None:
    item = NavItem(label, url_name, role, order, menu, description)
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
    """Every entry this person may open, in order (flat; menus aside)."""
    return sorted(
        (i for i in _nav if i.role is None or has_role(user, i.role)),
        key=lambda i: (i.order, str(i.label)),
    )


def _is_current(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def _who(user) -> tuple[bool, str | None]:
    """What ``has_role`` looks at: the only facts of a person the menus depend on."""
    signed_in = bool(user and user.is_authenticated and user.is_active)
    return signed_in, getattr(user, "role", None) if signed_in else None


# The menus for one (role, language, URL configuration) are the same on every request: built
# once per process, only the current page is marked per request. The registry's identity
# and size are in the key, so an entry registered later (or a test's own registry) is seen.
_built: dict[tuple, tuple[list[tuple[int, str, str, object, list[dict]]], list[dict]]] = {}


def _build_key(user) -> tuple:
    return (
        _who(user),
        translation.get_language(),
        get_urlconf(),
        get_script_prefix(),
        id(_nav),
        len(_nav),
        id(_menus),
        len(_menus),
    )


def _build(user) -> tuple[list[tuple[int, str, str, object, list[dict]]], list[dict]]:
    key = _build_key(user)
    built = _built.get(key)
    if built is not None:
        return built
    grouped: dict[str | None, list[NavItem]] = {}
    for item in nav_for(user):
        grouped.setdefault(item.menu if item.menu in _menus else None, []).append(item)

    def rows(items: list[NavItem]) -> list[dict]:
        out, previous_role = [], None
        for index, item in enumerate(items):
            out.append(
                {
                    "label": str(item.label),  # translated once: the language is in the key
                    "url": item.url,
                    "divider_before": index > 0 and item.role != previous_role,
                }
            )
            previous_role = item.role
        return out

    entries: list[tuple[int, str, str, object, list[dict]]] = []
    for item in grouped.pop(None, []):
        label = str(item.label)
        entries.append((item.order, label, item.url_name, label, rows([item])))
    account = rows(grouped.pop(ACCOUNT_MENU, []))
    for key_, items in grouped.items():
        menu = _menus[key_]
        row = rows(items)
        label = str(menu.label if len(row) > 1 else items[0].label)
        entries.append((menu.order, str(menu.label), key_, label, row))
    entries.sort(key=lambda e: (e[0], e[1]))
    if len(_built) > 256:  # roles × languages: a handful; never grows without bound
        _built.clear()
    _built[key] = (entries, account)
    return entries, account


def menus_for(user, path: str = "") -> tuple[list[MenuEntry], list[dict]]:
    """(top-bar entries, account-menu entries) for this person; ``path`` marks the current page.

    Inside a dropdown a divider separates entries of different roles (what everyone may
    open, then staff work, then supervision, then coordination).
    """
    entries, account = _build(user)

    def marked(rows: list[dict]) -> list[dict]:
        return [{**row, "current": path == row["url"]} for row in rows]

    menus = []
    for _order, _label, key, label, rows in entries:
        row = marked(rows)
        if len(row) == 1 and key not in _menus:  # a top-level link
            active = row[0]["current"]
        else:
            active = any(_is_current(path, r["url"]) for r in row)
        menus.append(MenuEntry(key, label, row, active))
    return menus, marked(account)


def bar_breakpoint(menus: list[MenuEntry]) -> str:
    """The Bootstrap breakpoint from which the bar is shown open rather than behind "Menu".

    Measured in characters of the labels as rendered (so a longer translation collapses
    sooner): a short bar opens from 992 px, a longer one from 1200 px, the longest from
    1400 px. CSS lets the menus wrap as a last resort, so nothing ever widens the page.
    """
    chars = sum(len(str(m.label)) + (2 if m.is_dropdown else 0) for m in menus)
    if chars <= 24 and len(menus) <= 3:
        return "lg"
    if chars <= 50:
        return "xl"
    return "xxl"


def panels_for(request) -> list[dict]:
    out = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if has_role(request.user, panel.role):
            ctx = panel.context(request) if panel.context else {}
            out.append({"template": panel.template, "context": ctx})
    return out


# The areas of the top bar. Apps put their entries in these (or register their own menu).
# Menu names are short words of their own ("menu" context), so translations can be short too.
register_menu("groups", pgettext_lazy("menu", "Groups"), order=10)
register_menu("dropin", pgettext_lazy("menu", "Drop-in"), order=20)
register_menu("warmline", pgettext_lazy("menu", "Warm line"), order=30)
register_menu("training", pgettext_lazy("menu", "Training"), order=40)
register_menu("admin", pgettext_lazy("menu", "Admin"), order=90)
register_menu(ACCOUNT_MENU, _("Your account"), order=1000)

register_nav(
    _("Locations"),
    "core:location-list",
    None,
    order=80,
    menu="dropin",
    description=_("Our drop-in centers and offices: addresses, opening hours and what is on."),
)
register_nav(_("People"), "accounts:people-list", "coordinator", order=900, menu="admin")
register_nav(_("Organization"), "core:organization-edit", "coordinator", order=910, menu="admin")
register_nav(_("Audit log"), "core:audit-list", "coordinator", order=920, menu="admin")


# The menus' HTML depends on the built menus (their key says role, language and URL
# configuration) and on which entries the current page marks: kept per process under both.
_menus_html: dict[tuple, str] = {}


def menus_html(user, menus: list[MenuEntry]) -> str:
    """``core/_nav_menus.html`` for ``menus`` (from ``menus_for(user, path)``), rendered
    once per process for each role, language and marked entry instead of on every page."""
    from django.template.loader import render_to_string

    marks = tuple((m.active, tuple(row["current"] for row in m.items)) for m in menus)
    key = (_build_key(user), marks)
    html = _menus_html.get(key)
    if html is None:
        if len(_menus_html) > 2048:  # roles × languages × entries: a few hundred at most
            _menus_html.clear()
        html = _menus_html[key] = render_to_string("core/_nav_menus.html", {"nav_menus": menus})
    return html


_language_options: dict[str, str] = {}


def language_options_html() -> str:
    """The language select's ``<option>``s: they depend on the active language only."""
    from django.template.loader import render_to_string

    language = translation.get_language()
    html = _language_options.get(language)
    if html is None:
        html = _language_options[language] = render_to_string(
            "core/_language_options.html", {"LANGUAGE_CODE": language}
        )
    return html

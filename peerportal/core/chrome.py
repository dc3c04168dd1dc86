"""The skip link and top bar of every page (``core/_header.html``), rendered once per process
for each combination of what they show, with the four per-request values filled in; and the
footer (``core/_footer.html``), once per language and organization text (``page_footer``).

The top bar was about two thirds of ``base.html``'s cost on every page (≈ 2,400 Python calls:
a dozen translated strings, links, the account menu). Almost all of it is the same for every
request with the same:

* language, URL configuration and script prefix (translations and links);
* signed-in or not, the bar's breakpoint, the menus' HTML and the account menu's entries
  (they come from the role and which entry the page marks: ``core.navigation``);
* organization name and logo;
* whether the page is the dashboard, profile or data-export page (they are marked), and
  whether the sign-in links carry ``?next=``.

Those make the key. What differs per request is filled in: the CSRF input (its token is
masked anew for each request), the person's display name, and the page's path for the
language form and the sign-in links. They are rendered as random per-process placeholders,
split out once, and replaced by the values escaped exactly as the template would have
escaped them. Nothing personal is kept: names and paths never enter the stored HTML.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .templatetags.formatting_cache import cached_url

TEMPLATE = "core/_header.html"
FOOTER_TEMPLATE = "core/_footer.html"
# A few hundred at most (roles × languages × marked entries); cleared if ever exceeded.
MAX_ENTRIES = 2048

# Letters and digits only, so that escaping and URL-quoting leave them as they are.
_TOKEN = secrets.token_hex(8)
_PLACEHOLDERS = {
    "csrf_input": f"pp{_TOKEN}csrf",
    "display_name": f"pp{_TOKEN}name",
    "full_path": f"pp{_TOKEN}path",
    "next_query": f"pp{_TOKEN}next",
}
_FIELD = {placeholder: field for field, placeholder in _PLACEHOLDERS.items()}
_SPLIT = re.compile("(" + "|".join(_PLACEHOLDERS.values()) + ")")

# key -> the header's HTML split at the placeholders: text, field, text, field, …, text.
_headers: dict[tuple, list[str]] = {}


def csrf_input(token) -> str:
    """What ``{% csrf_token %}`` renders for ``token`` (the context's ``csrf_token``)."""
    if not token:
        return ""
    if token == "NOTPROVIDED":  # noqa: S105 — Django's marker for "no token here", not a secret
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _resolved(context, name: str):
    """A context value as a template reads it: called if callable (the context processor
    passes the menus' HTML as a function, worked out only where it is read)."""
    value = context.get(name)
    return value() if callable(value) else value


def _shown(context) -> tuple[dict, dict]:
    """(what the stored HTML depends on, the per-request values) for a template context."""
    request = context["request"]
    user = context.get("user")
    path = request.path
    signed_in = bool(user is not None and user.is_authenticated)
    organization = context.get("organization")
    account_items = context.get("nav_account_items") or ()
    shown = {
        "signed_in": signed_in,
        "nav_expand": context.get("nav_expand"),
        "organization": organization,
        "nav_menus_html": str(_resolved(context, "nav_menus_html") or ""),
        "language_options_html": str(_resolved(context, "language_options_html") or ""),
        "nav_account_items": account_items,
        "dashboard_current": path == cached_url("core:dashboard"),
        "profile_current": path == cached_url("accounts:profile"),
        "data_current": path == cached_url("accounts:data-export"),
        "next_wanted": path != "/" and "accounts/" not in path,
    }
    full_path = request.get_full_path()
    values = {
        "csrf_input": csrf_input(context.get("csrf_token")),
        "display_name": conditional_escape(user.display_name) if signed_in else "",
        "full_path": conditional_escape(full_path),
        # {{ request.get_full_path|urlencode }}: quoted, then autoescaped.
        "next_query": conditional_escape(quote(full_path, safe="/")),
    }
    return shown, values


def _key(shown: dict) -> tuple:
    organization = shown["organization"]
    return (
        get_language(),
        get_urlconf(),
        get_script_prefix(),
        shown["signed_in"],
        shown["nav_expand"],
        getattr(organization, "name", None),
        getattr(getattr(organization, "logo", None), "name", None),
        shown["nav_menus_html"],
        shown["language_options_html"],
        tuple((i["url"], str(i["label"]), i["current"]) for i in shown["nav_account_items"]),
        shown["dashboard_current"],
        shown["profile_current"],
        shown["data_current"],
        shown["next_wanted"],
    )


def page_header(context) -> SafeString:
    """``core/_header.html`` for this page (see the module docstring)."""
    if context.get("request") is None:
        # Rendered without a request (an error page, say): no per-request values to keep
        # apart, and too rare to remember. The template reads what it needs from here.
        return mark_safe(render_to_string(TEMPLATE, _without_request(context)))  # noqa: S308
    shown, values = _shown(context)
    key = _key(shown)
    parts = _headers.get(key)
    if parts is None:
        html = render_to_string(TEMPLATE, {**shown, **_PLACEHOLDERS})
        parts = _SPLIT.split(html)
        if len(_headers) >= MAX_ENTRIES:
            _headers.clear()
        _headers[key] = parts
    # Every odd part is a placeholder: replaced by its value, already escaped.
    return mark_safe(  # noqa: S308 — the stored parts are template output; values escaped above
        "".join(values[_FIELD[part]] if i % 2 else part for i, part in enumerate(parts))
    )


def _without_request(context) -> dict:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "signed_in": signed_in,
        "nav_expand": context.get("nav_expand"),
        "organization": context.get("organization"),
        "nav_menus_html": _resolved(context, "nav_menus_html") or "",
        "language_options_html": _resolved(context, "language_options_html") or "",
        "nav_account_items": context.get("nav_account_items") or (),
        # As base.html's tests on request.path came out with no request: never true.
        "dashboard_current": False,
        "profile_current": False,
        "data_current": False,
        "next_wanted": False,
        "csrf_input": csrf_input(context.get("csrf_token")),
        "display_name": user.display_name if signed_in else "",
        "full_path": "",
        "next_query": "",
    }


# (language, the organization's shown texts) -> the footer's HTML.
_footers: dict[tuple, str] = {}


def page_footer(context) -> SafeString:
    """``core/_footer.html``: the crisis resources and the organization's contact line. They
    depend on the language and on the organization's texts only (no request value), so the
    HTML is kept per process under those."""
    organization = context.get("organization")
    if organization is None:
        return mark_safe(render_to_string(FOOTER_TEMPLATE, {}))  # noqa: S308 — template output
    key = (
        get_language(),
        organization.name,
        organization.localized_crisis_resources,
        organization.contact_phone,
        organization.contact_email,
    )
    html = _footers.get(key)
    if html is None:
        html = render_to_string(FOOTER_TEMPLATE, {"organization": organization})
        if len(_footers) >= MAX_ENTRIES:
            _footers.clear()
        _footers[key] = html
    return mark_safe(html)  # noqa: S308 — template output

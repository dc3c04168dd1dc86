"""The authorization matrix: every URL pattern of the portal, every persona.

* Anonymous visitors are sent to log in everywhere except the explicit allowlist below.
* Every non-public view declares the role it needs (``role_required`` / ``RoleRequiredMixin``),
  and personas without that role get 403.

A new view that forgets its check fails here: it answers anonymous visitors with something
other than a login redirect, or declares no role.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peerportal.core.permissions import ROLE_GROUPS

# Pages anyone may see. Adding to this list is a deliberate, reviewed decision.
PUBLIC_URL_NAMES = {
    "warmline:shift-feed",
    "groups:group-list",
    "groups:group-detail",
    "groups:booking-feed",
    "core:home",
    "core:healthz",
    "core:location-list",
    "core:location-detail",
    "dropin:event-list",
    "dropin:calendar-month",
    "dropin:calendar-week",
    "dropin:event-detail",
    "dropin:location-feed",
    "reminders:preference-unsubscribe",
    # The signed one-time link in a waitlist-offer email: the signature is the authority.
    "groups:offer-respond",
    "accounts:verification-resend",  # anyone whose confirmation email never came
}

# Third-party views with their own access rules (allauth, the admin, Django's i18n).
THIRD_PARTY_PREFIXES = (
    "allauth.",
    "django.contrib.admin",
    "django.views.i18n",
    "django.views.static",
)

PERSONA_ROLES = {
    "member": "member",
    "staff": "peer_specialist",
    "supervisor": "supervisor",
    "coordinator": "coordinator",
}

DUMMY_VALUES = {
    "int": "987654",
    "slug": "no-such-thing",
    "str": "no-such-thing",
    "uuid": str(uuid.UUID(int=1)),
    "path": "x",
}


def _walk(patterns, namespace="", converters=None):
    converters = converters or {}
    for entry in patterns:
        entry_converters = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, ns, entry_converters)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry_converters, entry.callback


def _converter_kind(converter) -> str:
    name = type(converter).__name__.lower()
    for kind in ("int", "slug", "uuid", "path"):
        if kind in name:
            return kind
    return "str"


def portal_urls():
    """(name, url, callback) for every named pattern served by the portal's own code."""
    seen = set()
    for name, converters, callback in _walk(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "") or ""
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            module = view_class.__module__
        if module.startswith(THIRD_PARTY_PREFIXES) or not module.startswith("peerportal."):
            continue
        if name in seen:
            continue
        seen.add(name)
        kwargs = {key: DUMMY_VALUES[_converter_kind(conv)] for key, conv in converters.items()}
        yield pytest.param(name, reverse(name, kwargs=kwargs), callback, id=name)


ALL_URLS = list(portal_urls())


def required_role(callback) -> str | None:
    role = getattr(callback, "required_role", None)
    view_class = getattr(callback, "view_class", None)
    if role is None and view_class is not None:
        role = getattr(view_class, "required_role", None)
    return role


def _is_login_redirect(response) -> bool:
    login = reverse(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].split("?")[0] == login


def test_matrix_covers_the_portal():
    names = {p.values[0] for p in ALL_URLS}
    assert "core:dashboard" in names
    assert "accounts:people-list" in names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url", "callback"), ALL_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, name, url, callback):
    if name in PUBLIC_URL_NAMES:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (
            f"{name} is public but answered {response.status_code}"
        )
        return
    get = client.get(url)
    post = client.post(url)
    assert any(_is_login_redirect(r) for r in (get, post)), (
        f"{name} did not send an anonymous visitor to log in"
    )
    for response in (get, post):
        assert _is_login_redirect(response) or response.status_code == 405, (
            f"{name} answered an anonymous {response.request['REQUEST_METHOD']} with {response.status_code}"
        )


@pytest.mark.parametrize(("name", "url", "callback"), ALL_URLS)
def test_every_private_view_declares_its_role(name, url, callback):
    if name in PUBLIC_URL_NAMES:
        return
    role = required_role(callback)
    assert role in ROLE_GROUPS, f"{name} declares no role (use role_required or RoleRequiredMixin)"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url", "callback"), ALL_URLS)
def test_personas_without_the_role_get_403(persona_clients, name, url, callback):
    role = required_role(callback)
    if name in PUBLIC_URL_NAMES or role is None:
        return
    allowed = ROLE_GROUPS[role]
    for persona, client in persona_clients.items():
        get = client.get(url)
        response = client.post(url) if get.status_code == 405 else get
        if PERSONA_ROLES[persona] in allowed:
            assert response.status_code != 403, f"{persona} should reach {name}"
            assert not _is_login_redirect(response), f"{persona} was asked to log in at {name}"
        else:
            assert response.status_code == 403, f"{persona} reached {name} ({response.status_code})"

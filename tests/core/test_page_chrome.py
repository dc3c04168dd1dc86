"""The page around every page: grouped navigation per role, the crisis footer in the page's
language with tap-to-call numbers, the home page, one date style, and the account pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from peerportal.core import navigation
from peerportal.core.models import DEFAULT_CRISIS_RESOURCES, Organization

pytestmark = pytest.mark.django_db


def _menus(html: str) -> dict[str, list[str]]:
    """{menu label: [entry labels]} of the top bar's dropdowns."""
    out = {}
    for label, body in re.findall(
        r'data-bs-toggle="dropdown" aria-expanded="false">(.*?)</button>\s*<ul class="dropdown-menu[^"]*"[^>]*>(.*?)</ul>',
        html,
        re.S,
    ):
        out[label.strip()] = re.findall(r'class="dropdown-item[^"]*"[^>]*>([^<]+)</a>', body)
    return out


def test_the_top_bar_groups_entries_by_area_and_role(persona_clients, anonymous_client):
    coordinator = _menus(persona_clients["coordinator"].get("/dashboard/").content.decode())
    assert list(coordinator)[:5] == ["Groups", "Drop-in", "Warm line", "Training", "Admin"]
    assert coordinator["Admin"] == [
        "People",
        "Import",
        "Organization",
        "Audit log",
        "Failed reminders",
    ]
    assert "Group reports" in coordinator["Groups"]
    member_html = persona_clients["member"].get("/dashboard/").content.decode()
    member = _menus(member_html)
    assert set(member) >= {"Groups", "Drop-in"}
    assert not {"Warm line", "Training", "Admin"} & set(member)
    assert member["Groups"] == ["Support groups", "My bookings"]
    # The account menu: profile, reminders, data, sign out.
    account = re.search(r'id="menu-account".*?</ul>', member_html, re.S).group(0)
    for entry in ("Your profile", "My reminders", "Download your data", "Sign out"):
        assert entry in account
    staff = _menus(persona_clients["staff"].get("/dashboard/").content.decode())
    assert "Admin" not in staff and staff["Warm line"] == ["Warm-line shifts", "Call log"]
    # A visitor: a one-entry area is a plain link; sign in and sign up are offered.
    visitor = anonymous_client.get("/locations/").content.decode()
    assert (
        f'<a class="nav-link" href="{reverse("groups:group-list")}">Support groups</a>' in visitor
    )
    assert "Admin" not in _menus(visitor)
    assert "?next=/locations/" in visitor
    assert ">Sign in<" in visitor and "Log in" not in visitor


def test_the_current_page_is_marked_in_its_menu(coordinator_client):
    html = coordinator_client.get(reverse("accounts:people-list")).content.decode()
    assert 'class="nav-link dropdown-toggle active" type="button" id="menu-admin"' in html
    assert re.search(r'class="dropdown-item active" href="/people/" aria-current="page"', html)


def test_the_kept_menu_html_follows_the_page_the_role_and_the_language(
    coordinator_client, coordinator, member_client
):
    """The menus' HTML is kept per process: each page still marks its own entry, each role
    sees its own menus and each language its own labels and selected language."""
    people = coordinator_client.get(reverse("accounts:people-list")).content.decode()
    audit = coordinator_client.get(reverse("core:audit-list")).content.decode()
    assert re.findall(r'aria-current="page">([^<]+)<', people) == ["People"]
    assert re.findall(r'aria-current="page">([^<]+)<', audit) == ["Audit log"]
    elsewhere = coordinator_client.get(reverse("core:location-list")).content.decode()
    assert 'id="menu-admin"' in elsewhere
    assert 'dropdown-toggle active" type="button" id="menu-admin"' not in elsewhere
    assert "Audit log" not in member_client.get(reverse("core:location-list")).content.decode()
    coordinator.preferred_language = "es"
    coordinator.save(update_fields=["preferred_language"])
    html = coordinator_client.get(reverse("core:audit-list")).content.decode()
    assert 'lang="es"' in html
    assert '<option value="es" lang="es" selected>' in html
    assert '<option value="en" lang="en">' in html
    assert "Audit log" not in html


def test_an_app_adds_an_entry_to_an_area_menu(staff, monkeypatch):
    monkeypatch.setattr(navigation, "_nav", list(navigation._nav))
    navigation.register_nav("Rota", "core:location-list", "staff", order=215, menu="warmline")
    menus, _account = navigation.menus_for(staff, "/locations/")
    warmline = next(m for m in menus if m.key == "warmline")
    assert [str(i["label"]) for i in warmline.items] == ["Warm-line shifts", "Rota", "Call log"]
    assert warmline.active


def test_spanish_pages_show_the_crisis_text_in_spanish(client):
    with translation.override("es"):
        spanish = translation.gettext(DEFAULT_CRISIS_RESOURCES)
    assert spanish != DEFAULT_CRISIS_RESOURCES  # the default text is translated
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "If you are in crisis" not in html
    assert spanish.split("988")[0] in html


def test_the_organizations_own_spanish_crisis_text_is_used_on_spanish_pages(client):
    org = Organization.get()
    org.crisis_resources = "Call our line at 555-0100."
    org.crisis_resources_es = "Llame a nuestra línea al 555-0100."
    org.save()
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'Llame a nuestra línea al <a href="tel:5550100">555-0100</a>.' in spanish
    assert 'Call our line at <a href="tel:5550100">555-0100</a>.' in english


def test_crisis_and_contact_numbers_are_tap_to_call_links(client):
    org = Organization.get()
    org.contact_phone = "(555) 010-0199"
    org.save()
    html = client.get("/").content.decode()
    assert '<a href="tel:988">988</a>' in html and '<a href="tel:911">911</a>' in html
    assert '<a href="tel:5550100199">(555) 010-0199</a>' in html
    assert 'href="tel:988lifeline' not in html  # a web address stays a web address


def test_the_home_page_cards_say_what_each_area_is(client):
    html = client.get("/").content.decode()
    cards = re.findall(r'<div class="card-body">(.*?)</div>', html, re.S)
    assert len(cards) >= 3
    for card in cards:
        assert re.search(r'<p class="card-text">\S.+</p>', card), card


def test_creating_an_account_from_a_group_keeps_the_way_back(client):
    from tests.groups.factories import SupportGroupFactory

    group = SupportGroupFactory()
    url = reverse("groups:group-detail", args=[group.pk])
    html = client.get(url).content.decode()
    assert f'href="{reverse("account_signup")}?next={url}"' in html
    assert f'href="{reverse("account_login")}?next={url}"' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "27 October 2026"), ("es", "27 de octubre de 2026")],
)
def test_dates_have_one_style_per_language(language, expected):
    with translation.override(language):
        rendered = Template("{{ day|date }}").render(Context({"day": dt.date(2026, 10, 27)}))
    assert rendered == expected


def test_the_time_zone_is_chosen_from_a_list_with_the_organizations_first(member_client):
    org = Organization.get()
    org.time_zone = "America/Chicago"
    org.save()
    html = member_client.get(reverse("accounts:profile")).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select)
    assert values[:2] == ["", "America/Chicago"]
    assert "Europe/Madrid" in values and "US/Eastern" not in values
    assert len(values) > 300


def test_profile_shows_the_calendar_links_for_the_person(member_client, staff_client, member):
    from peerportal.accounts.services import feed_token_for

    html = member_client.get(reverse("accounts:profile")).content.decode()
    token = feed_token_for(user=member).token
    assert reverse("groups:booking-feed", args=[token]) in html
    assert "appear here once you book" not in html
    assert "Your warm-line shifts" not in html
    assert "Your warm-line shifts" in staff_client.get(reverse("accounts:profile")).content.decode()

"""The remembered top bar (core.chrome) gives exactly what base.html's own markup gave, for
every role, language and kind of page, and keeps nothing personal."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from peerportal.accounts.models import User
from peerportal.core import chrome
from peerportal.core.models import Organization

pytestmark = pytest.mark.django_db

# base.html's skip link and top bar as they were written before core.chrome: the reference.
REFERENCE = """<a class="visually-hidden-focusable skip-link" href="#main">{% translate "Skip to main content" %}</a>
  <header>
    <nav class="navbar navbar-expand-{{ nav_expand|default:'lg' }} bg-body-tertiary border-bottom" aria-label="{% translate 'Main navigation' %}">
      <div class="container">
        <a class="navbar-brand" href="{% cached_url 'core:home' %}">
          {% if organization.logo %}<img src="{{ organization.logo.url }}" alt="" height="32" class="me-2">{% endif %}{{ organization.name }}
        </a>
        <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#main-nav"
                aria-controls="main-nav" aria-expanded="false" aria-label="{% translate 'Menu' %}">
          <span class="navbar-toggler-icon"></span>
        </button>
        <div class="collapse navbar-collapse" id="main-nav">
          <ul class="navbar-nav me-auto">
            {% if user.is_authenticated %}
              {% cached_url 'core:dashboard' as dashboard_url %}
              <li class="nav-item"><a class="nav-link{% if request.path == dashboard_url %} active{% endif %}" href="{{ dashboard_url }}"{% if request.path == dashboard_url %} aria-current="page"{% endif %}>{% translate "Dashboard" %}</a></li>
            {% endif %}
{{ nav_menus_html }}          </ul>
          <ul class="navbar-nav nav-end">
            <li class="nav-item">
              <form action="{% cached_url 'set_language' %}" method="post" class="language-form">
                {% csrf_token %}
                <input name="next" type="hidden" value="{{ request.get_full_path }}">
                <label for="language-select" class="visually-hidden">{% translate "Language" %}</label>
                <select id="language-select" name="language" class="form-select form-select-sm" data-autosubmit>
{{ language_options_html }}                </select>
                <noscript><button class="btn btn-sm btn-outline-secondary ms-1" type="submit">{% translate "Change" %}</button></noscript>
              </form>
            </li>
            {% if user.is_authenticated %}
              <li class="nav-item dropdown">
                <button class="nav-link dropdown-toggle" type="button" id="menu-account" data-bs-toggle="dropdown" aria-expanded="false">
                  <span class="visually-hidden">{% translate "Your account:" %} </span><span class="account-name">{{ user.display_name }}</span>
                </button>
                <ul class="dropdown-menu dropdown-menu-end" aria-labelledby="menu-account">
                  {% cached_url 'accounts:profile' as profile_url %}
                  {% cached_url 'accounts:data-export' as data_url %}
                  <li><a class="dropdown-item{% if request.path == profile_url %} active{% endif %}" href="{{ profile_url }}"{% if request.path == profile_url %} aria-current="page"{% endif %}>{% translate "Your profile" %}</a></li>
                  {% for item in nav_account_items %}
                    <li><a class="dropdown-item{% if item.current %} active{% endif %}" href="{{ item.url }}"{% if item.current %} aria-current="page"{% endif %}>{{ item.label }}</a></li>
                  {% endfor %}
                  <li><a class="dropdown-item{% if request.path == data_url %} active{% endif %}" href="{{ data_url }}"{% if request.path == data_url %} aria-current="page"{% endif %}>{% translate "Download your data" %}</a></li>
                  <li><hr class="dropdown-divider"></li>
                  <li>
                    <form method="post" action="{% cached_url 'account_logout' %}">{% csrf_token %}
                      <button type="submit" class="dropdown-item">{% translate "Sign out" %}</button>
                    </form>
                  </li>
                </ul>
              </li>
            {% else %}
              <li class="nav-item"><a class="nav-link" href="{% cached_url 'account_login' %}{% if request.path != '/' and 'accounts/' not in request.path %}?next={{ request.get_full_path|urlencode }}{% endif %}">{% translate "Sign in" %}</a></li>
              <li class="nav-item"><a class="nav-link" href="{% cached_url 'account_signup' %}{% if request.path != '/' and 'accounts/' not in request.path %}?next={{ request.get_full_path|urlencode }}{% endif %}">{% translate "Sign up" %}</a></li>
            {% endif %}
          </ul>
        </div>
      </div>
    </nav>
  </header>"""

FOOTER_REFERENCE = """<footer class="border-top py-3 mt-5 bg-body-tertiary">
    <div class="container">
      <section class="crisis-resources" aria-labelledby="crisis-heading">
        <h2 id="crisis-heading" class="h6">{% translate "Need help now?" %}</h2>
        <p class="mb-1">{{ organization.localized_crisis_resources|contact_links }}</p>
      </section>
      <p class="small text-body-secondary mb-0">
        {{ organization.name }}{% if organization.contact_phone %} · <a href="{{ organization.contact_phone|tel_href }}">{{ organization.contact_phone }}</a>{% endif %}{% if organization.contact_email %} · <a href="mailto:{{ organization.contact_email }}">{{ organization.contact_email }}</a>{% endif %}
      </p>
    </div>
  </footer>"""

SPLIT = "<!--split-->"


def _both(request) -> tuple[str, str]:
    """The remembered header and the reference, rendered in one template: the same context,
    so the same masked CSRF token in both."""
    template = engines["django"].from_string(
        "{% load i18n formatting_cache portal %}{% page_header %}" + SPLIT + REFERENCE
    )
    ours, reference = template.render({}, request).split(SPLIT)
    return ours, reference


def _request(user, path: str):
    request = RequestFactory().get(path)
    request.user = user
    return request


# Pages that differ only in what the key must tell apart come one after the other: the
# dashboard, the profile and data pages are marked; a page in no menu is not.
PATHS = [
    "/",
    "/dashboard/",
    "/nowhere/",
    "/accounts/profile/",
    "/accounts/login/",
    "/groups/",
    "/groups/?topic=2&q=%3Cscript%3E%22x%22&page=2",
    "/locations/caf%C3%A9/?q=a+b&x=<b>'\"&y=ü",
]


def _personas():
    made = [AnonymousUser()]
    for role, name in [
        ("member", 'Alex <b>"Al" & Co\'s</b>'),
        ("peer_specialist", "Bea"),
        ("supervisor", "Cy"),
        ("coordinator", "Dee Ñandú"),
    ]:
        made.append(
            User.objects.create_user(
                email=f"{role}@chrome.example.test", password="x", role=role, display_name=name
            )
        )
    return made


def test_the_header_is_the_reference_for_every_role_language_and_page():
    paths = [
        *PATHS,
        reverse("accounts:profile"),
        "/nowhere/",
        reverse("accounts:data-export"),
        "/nowhere/",
    ]
    seen = 0
    for user in _personas():
        for language in ("en", "es"):
            with translation.override(language):
                for path in paths:
                    ours, reference = _both(_request(user, path))
                    assert ours == reference, (getattr(user, "role", "visitor"), language, path)
                    seen += 1
    assert seen == 5 * 2 * len(paths)


def test_values_of_one_request_never_show_in_another():
    alex, bea = (
        User.objects.create_user(
            email=f"{n}@chrome.example.test", password="x", role="member", display_name=n
        )
        for n in ("Alexandrina", "Beatriz")
    )
    first, _ = _both(_request(alex, "/groups/?q=alexandrina-search"))
    second, reference = _both(_request(bea, "/groups/?q=beatriz-search"))
    assert "Alexandrina" in first and "alexandrina-search" in first
    assert "Alexandrina" not in second and "alexandrina-search" not in second
    assert second == reference
    # The stored pieces hold neither names nor paths.
    stored = "".join("".join(parts) for parts in chrome._headers.values())
    for personal in ("Alexandrina", "Beatriz", "alexandrina-search", "beatriz-search"):
        assert personal not in stored


def test_each_request_gets_its_own_csrf_token_in_both_forms():
    member = User.objects.create_user(
        email="m@chrome.example.test", password="x", role="member", display_name="M"
    )
    tokens = []
    for _ in range(2):
        ours, _reference = _both(_request(member, "/groups/"))
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', ours)
        assert len(found) == 2 and found[0] == found[1]  # language form and sign-out
        tokens.append(found[0])
    assert tokens[0] != tokens[1]  # masked anew for each request, as Django does


def test_a_change_of_organization_name_shows_on_the_next_page():
    org = Organization.get()
    before, _ = _both(_request(AnonymousUser(), "/"))
    org.name = "Harbor Peers Collective"
    org.save()
    after, reference = _both(_request(AnonymousUser(), "/"))
    assert "Harbor Peers Collective" in after and after == reference
    assert before != after


def test_without_a_request_it_renders_as_the_reference_did():
    template = engines["django"].from_string(
        "{% load i18n formatting_cache portal %}{% page_header %}" + SPLIT + REFERENCE
    )
    ours, reference = template.template.render(Context({})).split(SPLIT)
    assert ours == reference
    assert "Sign in" in ours


def _footers(organization) -> tuple[str, str]:
    template = engines["django"].from_string(
        "{% load i18n portal %}{% page_footer %}" + SPLIT + FOOTER_REFERENCE
    )
    ours, reference = template.render({"organization": organization}).split(SPLIT)
    return ours, reference


def test_the_footer_is_the_reference_in_each_language_and_after_each_change():
    org = Organization.get()
    variants = [
        {},
        {"contact_phone": "+1 (555) 010-0199", "contact_email": "hello@harbor.example.test"},
        {"crisis_resources": "Call 988 <any time> & text HOME to 741741.", "name": "A & B <Peers>"},
        {"crisis_resources_es": "Llame o envíe un mensaje al 988."},
    ]
    last = {}
    for changes in variants:
        for field, value in changes.items():
            setattr(org, field, value)
        org.save()
        for language in ("en", "es"):
            with translation.override(language):
                ours, reference = _footers(Organization.get())
                assert ours == reference, (changes, language)
                last[language] = ours
        if "contact_phone" in changes:
            assert 'href="tel:+15550100199"' in last["en"]
        if "name" in changes:
            assert "A &amp; B &lt;Peers&gt;" in last["en"] and "&lt;any time&gt;" in last["en"]
    # The Spanish text shows on Spanish pages only, as soon as it is saved.
    assert "Llame o envíe" in last["es"] and "Llame o envíe" not in last["en"]

"""Test-only reminder kinds, with their email templates served from memory.

They are registered by the test app ``tests.reminders.apps.TestKindsConfig`` (worker
subprocesses) or by the ``test_kinds`` fixture (this process). The target is a core
Location, so no product feature is invented: the context is obsolete once the location is
deactivated.
"""

from __future__ import annotations

import datetime as dt

NOTICE = "test_notice"  # an immediate, optional, non-urgent notification
URGENT = "test_urgent"  # urgent and not optional
UPCOMING = "test_upcoming"  # a reminder with offsets (24 h and 2 h)

EMAIL_TEMPLATES = {}
for _code in (NOTICE, URGENT, UPCOMING):
    EMAIL_TEMPLATES[f"emails/{_code}_subject.txt"] = (
        "{% load i18n %}Notice about {{ location.name }}\n   in {{ LANGUAGE_CODE }}\n"
    )
    EMAIL_TEMPLATES[f"emails/{_code}_body.txt"] = (
        '{% extends "emails/base_body.txt" %}{% load i18n tz %}{% block content %}'
        "{% get_current_language as lang %}{% get_current_timezone as tz %}"
        "Place: {{ location.name }}. lang={{ lang }} tz={{ tz }} due={{ reminder.due_at|date:'H:i' }}"
        "{% endblock %}"
    )
    EMAIL_TEMPLATES[f"emails/{_code}_body.html"] = (
        '{% extends "emails/base_body.html" %}{% block content %}'
        "<p>Place: {{ location.name }}</p>{% endblock %}"
    )


def location_context(reminder):
    from peerportal.core.models import Location

    location = Location.objects.filter(pk=reminder.target_id, is_active=True).first()
    if location is None:
        return None
    context = {"location": location}
    if location.phone == "attach":
        context["attachments"] = [
            ("visit.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        ]
    return context


def location_contexts(reminders):
    """The batch form: one query for every location the batch is about."""
    from peerportal.core.models import Location

    places = Location.objects.filter(
        pk__in={r.target_id for r in reminders}, is_active=True
    ).in_bulk()
    out = {}
    for reminder in reminders:
        location = places.get(reminder.target_id)
        if location is None:
            out[reminder.pk] = None
            continue
        context = {"location": location}
        if location.phone == "attach":
            context["attachments"] = [
                ("visit.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
            ]
        out[reminder.pk] = context
    return out


def register() -> None:
    from peerportal.reminders.registry import register_kind

    register_kind(
        NOTICE, label="Test notice", context=location_context, context_many=location_contexts
    )
    register_kind(
        URGENT, label="Test urgent notice", urgent=True, optional=False, context=location_context
    )
    register_kind(
        UPCOMING,
        label="Test upcoming",
        default_offsets=[dt.timedelta(hours=24), dt.timedelta(hours=2)],
        context=location_context,
    )


def unregister() -> None:
    from peerportal.reminders import registry

    for code in (NOTICE, URGENT, UPCOMING):
        registry._kinds.pop(code, None)


def templates_setting(base: list[dict]) -> list[dict]:
    """``TEMPLATES`` with the test kinds' emails in a locmem loader in front."""
    engine = dict(base[0])
    options = dict(engine.get("OPTIONS", {}))
    engine["APP_DIRS"] = False
    options["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                ("django.template.loaders.locmem.Loader", EMAIL_TEMPLATES),
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]
    engine["OPTIONS"] = options
    return [engine, *base[1:]]

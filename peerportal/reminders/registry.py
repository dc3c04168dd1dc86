"""Kinds of reminder and notification, registered by the apps that cause them.

An app registers each kind in its AppConfig.ready()::

    register_kind(
        "session_upcoming",
        label=_("Before a group session"),
        default_offsets=[timedelta(hours=24), timedelta(hours=2)],
        context=session_reminder_context,   # (reminder) -> dict, or None if obsolete
    )

The email is rendered from ``templates/emails/<kind>_subject.txt``, ``<kind>_body.txt``
and ``<kind>_body.html``. ``context`` loads what it needs by id from ``reminder.target_id``
and returns only what the recipient needs: never other attendees, never clinical words.
A kind may also give ``context_many`` ((reminders) -> {reminder id: dict or None}) so a
send batch loads its causes in one query instead of one per reminder.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

#: Who may receive a kind, and so who sees it among their email preferences.
AUDIENCE_EVERYONE = "everyone"  # members and staff (a group session you booked)
AUDIENCE_STAFF = "staff"  # peer specialists, supervisors, coordinators (shifts, credentials)


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    # Offsets before the cause's start time; empty for immediate notifications.
    default_offsets: tuple[dt.timedelta, ...] = ()
    # Urgent kinds ignore quiet hours (a cancelled session two hours from now).
    urgent: bool = False
    # Whether people may switch this kind off (confirmations of their own action may not).
    optional: bool = True
    context: Callable | None = field(default=None, compare=False)
    # Who receives it (AUDIENCE_EVERYONE or AUDIENCE_STAFF).
    audience: str = AUDIENCE_EVERYONE
    # The app that registered it: its verbose name heads the kind's group of preferences.
    app_label: str = ""
    # Loads the causes of a whole send batch at once (ids -> contexts), if the kind can.
    context_many: Callable | None = field(default=None, compare=False)

    @property
    def is_notification(self) -> bool:
        return not self.default_offsets

    def offered_to(self, user) -> bool:
        """Whether ``user`` can receive this kind (and so sees it among preferences)."""
        return self.audience == AUDIENCE_EVERYONE or bool(getattr(user, "is_staff_role", False))

    @property
    def section(self) -> str:
        """The heading this kind's preferences appear under (its app's verbose name)."""
        from django.apps import apps

        for config in apps.get_app_configs():
            if config.label == self.app_label:
                return str(config.verbose_name)
        return ""


_kinds: dict[str, ReminderKind] = {}


def register_kind(
    code: str,
    *,
    label,
    default_offsets: list[dt.timedelta] | tuple[dt.timedelta, ...] = (),
    urgent: bool = False,
    optional: bool = True,
    context: Callable | None = None,
    audience: str = AUDIENCE_EVERYONE,
    app_label: str | None = None,
    context_many: Callable | None = None,
) -> ReminderKind:
    if app_label is None:  # the registering module's app: "peerportal.groups.apps" → groups
        caller = sys._getframe(1).f_globals.get("__name__", "")
        parts = caller.split(".")
        app_label = parts[1] if len(parts) > 2 and parts[0] == "peerportal" else ""
    kind = ReminderKind(
        code,
        label,
        tuple(default_offsets),
        urgent,
        optional,
        context,
        audience=audience,
        app_label=app_label,
        context_many=context_many,
    )
    _kinds[code] = kind
    return kind


def get_kind(code: str) -> ReminderKind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(
            f"Unknown reminder kind {code!r}; register it in AppConfig.ready()."
        ) from None


def all_kinds() -> list[ReminderKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)

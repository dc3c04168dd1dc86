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
from collections.abc import Callable
from dataclasses import dataclass, field


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
    context_many: Callable | None = field(default=None, compare=False)

    @property
    def is_notification(self) -> bool:
        return not self.default_offsets


_kinds: dict[str, ReminderKind] = {}


def register_kind(
    code: str,
    *,
    label,
    default_offsets: list[dt.timedelta] | tuple[dt.timedelta, ...] = (),
    urgent: bool = False,
    optional: bool = True,
    context: Callable | None = None,
    context_many: Callable | None = None,
) -> ReminderKind:
    kind = ReminderKind(
        code, label, tuple(default_offsets), urgent, optional, context, context_many
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

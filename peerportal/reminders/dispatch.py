"""Claiming due reminders and sending them. Completed by the reminders issue (#3)."""

from __future__ import annotations


def dispatch_due() -> int:
    raise NotImplementedError("reminder dispatch is delivered by issue #3")

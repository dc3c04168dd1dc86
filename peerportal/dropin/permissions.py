"""Who may do what with events and visit tallies."""

from __future__ import annotations

from peerportal.core.permissions import has_role


def can_manage_events(user) -> bool:
    """Create, edit and cancel events; see unpublished ones."""
    return has_role(user, "coordinator")


def can_record_attendance(user) -> bool:
    return has_role(user, "staff")


def can_count_visits(user) -> bool:
    return has_role(user, "staff")


def can_rsvp(user) -> bool:
    return has_role(user, "member")

"""Reads of groups, sessions and bookings, scoped to the person asking.

The code lives in the submodules: ``directory`` (the group directory), ``pages`` (a group's
page and a session's), ``bookings`` (a person's own bookings, offers and standing places),
``staff`` (facilitators' sessions and rosters, coordinators' group lists) and ``shared``.
Callers import every name from here.
"""

from .bookings import (
    PastBookings,
    active_bookings_by_session,
    booking_feed_for,
    booking_get_for,
    booking_list_for,
    booking_waitlist_details,
    next_bookings,
    offer_get_by_id,
    offer_get_for,
    standing_place_get_for,
    standing_place_in_group,
    standing_place_list_for,
)
from .directory import (
    directory_choices,
    directory_next_sessions,
    directory_topics,
    group_directory,
    topics,
)
from .pages import (
    group_get_for_viewer,
    group_get_public,
    group_page_sessions,
    group_topic_names,
    session_get_public,
)
from .staff import (
    booking_get_for_facilitator,
    facilitated_session_get,
    facilitated_sessions_before,
    group_get_for_coordinator,
    group_has_bookings,
    group_list_for_coordinator,
    group_sessions_attendance_for_coordinator,
    roster,
    sessions_facilitated_by,
)

__all__ = [
    "PastBookings",
    "active_bookings_by_session",
    "booking_feed_for",
    "booking_get_for",
    "booking_get_for_facilitator",
    "booking_list_for",
    "booking_waitlist_details",
    "directory_choices",
    "directory_next_sessions",
    "directory_topics",
    "facilitated_session_get",
    "facilitated_sessions_before",
    "group_directory",
    "group_get_for_coordinator",
    "group_get_for_viewer",
    "group_get_public",
    "group_has_bookings",
    "group_list_for_coordinator",
    "group_page_sessions",
    "group_sessions_attendance_for_coordinator",
    "group_topic_names",
    "next_bookings",
    "offer_get_by_id",
    "offer_get_for",
    "roster",
    "session_get_public",
    "sessions_facilitated_by",
    "standing_place_get_for",
    "standing_place_in_group",
    "standing_place_list_for",
    "topics",
    # Private, read by tests.
]

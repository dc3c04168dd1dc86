"""The groups app's views, a package split by feature (ARCHITECTURE: modules past ~500 lines)."""

from .bookings import (
    booking_cancel,
    booking_create,
    booking_feed,
    booking_list,
)
from .coordinators import (
    group_archive,
    group_delete,
    group_edit,
    group_manage_list,
    group_places_edit,
    group_sessions_overview,
    schedule_preview,
    session_cancel,
    session_move,
)
from .facilitators import attendance_mark, facilitator_sessions, session_roster
from .group_directory import directory
from .group_page import group_detail
from .offers import offer_accept, offer_decline, offer_respond
from .standing_places import (
    standing_join,
    standing_keep,
    standing_leave,
    standing_list,
    standing_pause,
)

__all__ = [
    "attendance_mark",
    "booking_cancel",
    "booking_create",
    "booking_feed",
    "booking_list",
    "directory",
    "facilitator_sessions",
    "group_archive",
    "group_delete",
    "group_detail",
    "group_edit",
    "group_manage_list",
    "group_places_edit",
    "group_sessions_overview",
    "offer_accept",
    "offer_decline",
    "offer_respond",
    "schedule_preview",
    "session_cancel",
    "session_move",
    "session_roster",
    "standing_join",
    "standing_keep",
    "standing_leave",
    "standing_list",
    "standing_pause",
]

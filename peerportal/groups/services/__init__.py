"""Every state change of groups, sessions and bookings; the code lives in the submodules.

``generation`` makes sessions over a group's horizon; ``groups`` saves, reschedules,
archives and deletes groups and moves or cancels their sessions; ``bookings`` books and
cancels under the session lock (how capacity holds under concurrency is explained there);
``attendance`` has a booking's waitlist position and attendance mark; ``kinds`` the reminder
kinds they schedule. Callers import every name from here.
"""

from .attendance import attendance_mark, waitlist_position
from .bookings import (
    booking_cancel,
    booking_create,
    bookings_cancel_for_erased_user,
)
from .generation import group_sessions_generate, group_sessions_generate_all
from .groups import (
    group_archive,
    group_delete,
    group_save,
    group_schedule_update,
    session_cancel,
    session_move,
)
from .kinds import (
    KIND_CONFIRMED,
    KIND_PROMOTED,
    KIND_SESSION_CANCELLED,
    KIND_SESSION_MOVED,
    KIND_UPCOMING,
)

__all__ = [
    "KIND_CONFIRMED",
    "KIND_PROMOTED",
    "KIND_SESSION_CANCELLED",
    "KIND_SESSION_MOVED",
    "KIND_UPCOMING",
    "attendance_mark",
    "booking_cancel",
    "booking_create",
    "bookings_cancel_for_erased_user",
    "group_archive",
    "group_delete",
    "group_save",
    "group_schedule_update",
    "group_sessions_generate",
    "group_sessions_generate_all",
    "session_cancel",
    "session_move",
    "waitlist_position",
    # Private, for the groups app's own modules (waitlist.py, standing.py) and its tests.
]

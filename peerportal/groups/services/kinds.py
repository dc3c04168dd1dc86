"""The reminder and notice kinds the groups' services schedule (``apps.py`` registers them)."""

KIND_UPCOMING = "session_upcoming"
KIND_CONFIRMED = "booking_confirmed"
KIND_PROMOTED = "waitlist_promoted"
KIND_SESSION_CANCELLED = "session_cancelled"
KIND_SESSION_MOVED = "session_moved"

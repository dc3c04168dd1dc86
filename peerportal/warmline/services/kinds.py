"""The reminder kinds the warm-line services schedule (apps.py registers them)."""

KIND_SHIFT_UPCOMING = "shift_upcoming"
KIND_SWAP = "swap_update"
KIND_GAP = "coverage_gap"

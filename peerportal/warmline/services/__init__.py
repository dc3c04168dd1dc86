"""Shifts from patterns, sign-up rules, releases, assignments and the call log.

By concern: ``patterns`` (a pattern's bounds, shifts generated from it), ``lines``
(coordinator setup of lines and patterns, one shift moved), ``assignments`` (eligibility,
sign-up, release, coverage gaps), ``swaps`` and ``calls`` (the call log); ``kinds`` names
the reminders they schedule. The ``*_check_bounds`` functions (core.bounds) are shared by
the forms and the services. Every public name is importable from here.
"""

from .assignments import (
    assignments_release_for_erased_user,
    check_eligibility,
    coverage_gaps_alert,
    shift_assign,
    shift_release,
    shift_sign_up,
)
from .calls import (
    call_edit_window,
    call_record_check_bounds,
    call_record_create,
    call_record_update,
)
from .kinds import KIND_GAP, KIND_SHIFT_UPCOMING, KIND_SWAP
from .lines import (
    shift_check_bounds,
    shift_pattern_save,
    shift_update,
    warm_line_check_bounds,
    warm_line_save,
)
from .patterns import shift_for, shift_pattern_check_bounds, shifts_generate, shifts_generate_all
from .swaps import swap_cancel, swap_decide, swap_offer, swap_take

__all__ = (
    "KIND_GAP",
    "KIND_SHIFT_UPCOMING",
    "KIND_SWAP",
    "assignments_release_for_erased_user",
    "call_edit_window",
    "call_record_check_bounds",
    "call_record_create",
    "call_record_update",
    "check_eligibility",
    "coverage_gaps_alert",
    "shift_assign",
    "shift_check_bounds",
    "shift_for",
    "shift_pattern_check_bounds",
    "shift_pattern_save",
    "shift_release",
    "shift_sign_up",
    "shift_update",
    "shifts_generate",
    "shifts_generate_all",
    "swap_cancel",
    "swap_decide",
    "swap_offer",
    "swap_take",
    "warm_line_check_bounds",
    "warm_line_save",
)

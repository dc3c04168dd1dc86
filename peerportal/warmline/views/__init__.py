"""Thin views, by feature: parse, call a service or selector, render or redirect."""

from .board import board, board_month, shift_detail, shift_sign_up
from .calls import call_create, call_edit, call_list
from .lines import line_create, line_edit, line_list, pattern_create, pattern_edit
from .shifts import (
    assignment_remove,
    my_shifts,
    shift_assign,
    shift_edit,
    shift_feed,
    shift_release,
)
from .swaps import swap_decide, swap_list, swap_offer, swap_take

__all__ = [
    "assignment_remove",
    "board",
    "board_month",
    "call_create",
    "call_edit",
    "call_list",
    "line_create",
    "line_edit",
    "line_list",
    "my_shifts",
    "pattern_create",
    "pattern_edit",
    "shift_assign",
    "shift_detail",
    "shift_edit",
    "shift_feed",
    "shift_release",
    "shift_sign_up",
    "swap_decide",
    "swap_list",
    "swap_offer",
    "swap_take",
]

"""Bounds of locations: opening-hours blocks per day."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Opening-hours blocks per location and weekday. A centre opens in one or two blocks a day
#: (morning and evening); four leaves room for split hours, more is a slip in the form.
OPENING_BLOCKS_PER_DAY_MAX = 4


def check_opening_hours(rows) -> None:
    """``rows`` of (weekday, opens, closes): each closes after it opens, blocks of one day
    don't overlap, at most OPENING_BLOCKS_PER_DAY_MAX blocks a day."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in rows:
        if closes <= opens:
            raise ValidationError(
                _("Closing time must be after opening time."), code="closes_before_opens"
            )
        by_day.setdefault(weekday, []).append((opens, closes))
    for blocks in by_day.values():
        if len(blocks) > OPENING_BLOCKS_PER_DAY_MAX:
            raise ValidationError(
                _("A day can have at most %(high)s blocks of opening hours."),
                code="too_many_blocks",
                params={"high": OPENING_BLOCKS_PER_DAY_MAX},
            )
        blocks.sort()
        for (_opens, closes), (next_opens, _closes) in zip(blocks, blocks[1:], strict=False):
            if next_opens < closes:
                raise ValidationError(
                    _("Opening hours on the same day overlap. Join them into one block."),
                    code="overlap",
                )

"""The data migration turns typed rules into schedule-builder rules (or flags the group)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

migration = importlib.import_module(
    "peerportal.groups.migrations.0002_schedule_builder_and_archive"
)
TUESDAY = dt.date(2027, 1, 5)


@pytest.mark.parametrize(
    ("typed", "built"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),  # the demo's rules stay as they are
        ("FREQ=WEEKLY;BYDAY=TU,TH;INTERVAL=2", "FREQ=WEEKLY;BYDAY=TU,TH;INTERVAL=2"),
        ("freq=weekly;byday=th,tu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=TU"),  # the first date's weekday, as dateutil did
        ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
        ("FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=1TU"),
    ],
)
def test_equivalent_rules_are_kept(typed, built):
    assert migration.builder_rule(typed, TUESDAY) == built


@pytest.mark.parametrize(
    "typed", ["FREQ=MINUTELY", "EVERY TUESDAY", "FREQ=DAILY;INTERVAL=3", "FREQ=YEARLY", ""]
)
def test_rules_the_builder_cannot_make_have_no_equivalent(typed):
    assert migration.builder_rule(typed, TUESDAY) is None

"""The rule engine at its boundaries, for the credential types of DOMAIN.md."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from peerportal.certification import rules
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import CETopic, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _types():
    seed_credential_types()


ISSUED = dt.date(2024, 3, 15)


_ids = itertools.count(1)


def record(course, hours, topic_code=None, on=dt.date(2025, 6, 1), status="approved"):
    topic = CETopic.objects.get(code=topic_code) if topic_code else None
    r = TrainingRecord(
        course=course,
        provider="P",
        completed_on=on,
        hours=Decimal(hours),
        topic=topic,
        status=status,
    )
    r.pk = next(_ids)
    r.topic_id = topic.pk if topic else None
    return r


def standing(code, records, on, issued=ISSUED):
    types = seed_credential_types()
    ctype = types[code]
    reqs = list(ctype.topic_requirements.select_related("topic"))
    return rules.standing(ctype, reqs, issued, records, on)


def pa_records(practice=24, ethics=3, elective=9):
    return [
        record("Practice", practice, "peer-practice"),
        record("Ethics", ethics, "ethics"),
        record("Elective", elective),
    ]


def test_pa_style_exactly_enough_hours_renews_at_the_two_year_anniversary():
    s = standing("state-cps", pa_records(), dt.date(2026, 3, 15))
    assert s.status == rules.Status.ACTIVE
    assert s.expires_on == dt.date(2028, 3, 15)


def test_pa_style_one_hour_short_of_the_total_goes_into_grace_then_lapses():
    records = pa_records(elective=8)  # 35 of 36 hours
    assert standing("state-cps", records, dt.date(2026, 3, 14)).status == rules.Status.EXPIRING
    on_expiry = standing("state-cps", records, dt.date(2026, 3, 15))
    assert on_expiry.status == rules.Status.IN_GRACE and on_expiry.expires_on == dt.date(
        2026, 3, 15
    )
    assert (
        standing("state-cps", records, dt.date(2026, 4, 13)).status == rules.Status.IN_GRACE
    )  # day 29 of 30
    assert (
        standing("state-cps", records, dt.date(2026, 4, 14)).status == rules.Status.LAPSED
    )  # grace ended


def test_pa_style_topic_minimum_counts_inside_the_total():
    # 36 hours in all, but only 2 of the 3 ethics hours: not renewed.
    records = pa_records(ethics=2, elective=10)
    s = standing("state-cps", records, dt.date(2026, 3, 15))
    assert s.status == rules.Status.IN_GRACE
    ethics = next(r for r in s.progress.requirements if r.label == "Ethics")
    assert ethics.short_by == Decimal(1)


def test_expiring_soon_only_when_hours_are_short():
    assert standing("state-cps", pa_records(), dt.date(2026, 1, 1)).status == rules.Status.ACTIVE
    assert standing("state-cps", [], dt.date(2026, 1, 1)).status == rules.Status.EXPIRING
    assert (
        standing("state-cps", [], dt.date(2025, 12, 1)).status == rules.Status.ACTIVE
    )  # more than 90 days out


def test_same_course_counts_once_per_cycle():
    records = [
        record("Ethics refresher", 3, "ethics"),
        record("ethics  Refresher", 3, "ethics", on=dt.date(2025, 9, 1)),
    ]
    s = standing("state-cps", records, dt.date(2025, 10, 1))
    total = next(r for r in s.progress.requirements if r.label == "total")
    assert total.done == Decimal(3)


def test_records_outside_the_cycle_and_unapproved_ones_do_not_count():
    records = [
        record("Old", 36, "peer-practice", on=dt.date(2024, 1, 1)),
        record("Pending", 36, "peer-practice", status="submitted"),
    ]
    s = standing("state-cps", records, dt.date(2025, 10, 1))
    assert next(r for r in s.progress.requirements if r.label == "total").done == 0


def test_texas_style_twenty_hours_in_24_months_no_grace():
    enough = [record("Approved event", 20)]
    assert standing("national-prc", enough, dt.date(2026, 3, 15)).status == rules.Status.ACTIVE
    short = [record("Approved event", 19)]
    assert (
        standing("national-prc", short, dt.date(2026, 3, 15)).status == rules.Status.LAPSED
    )  # expiry day, no grace


def test_nebraska_style_expires_on_1_september_of_odd_years():
    # Issued Nov 2022: the 1 Sep 2023 renewal is waived (within 12 months); next is 1 Sep 2025.
    issued = dt.date(2022, 11, 1)
    s = standing("regional-psc", [], dt.date(2024, 10, 1), issued=issued)
    assert s.expires_on == dt.date(2025, 9, 1)
    assert s.status == rules.Status.ACTIVE
    assert (
        standing("regional-psc", [], dt.date(2025, 8, 31), issued=issued).status
        == rules.Status.EXPIRING
    )
    assert (
        standing("regional-psc", [], dt.date(2025, 9, 1), issued=issued).status
        == rules.Status.LAPSED
    )


def test_nebraska_style_without_the_waiver_the_first_renewal_needs_hours():
    # Issued May 2022: more than 12 months before 1 Sep 2023, so hours were due then.
    assert (
        standing("regional-psc", [], dt.date(2023, 9, 1), issued=dt.date(2022, 5, 1)).status
        == rules.Status.LAPSED
    )


def test_nebraska_style_waiver_for_holders_certified_within_twelve_months():
    # Issued Nov 2024: renewal 1 Sep 2025 is within 12 months, so no CE is needed.
    s = standing("regional-psc", [], dt.date(2025, 9, 2), issued=dt.date(2024, 11, 1))
    assert s.status == rules.Status.ACTIVE
    assert s.expires_on == dt.date(2027, 9, 1)


def test_nebraska_style_six_ethics_inside_twenty_domain_hours():
    on = dt.date(2025, 9, 1)
    issued = dt.date(2022, 11, 1)
    ok = [
        record("Domains", 20, "peer-domains", on=dt.date(2024, 1, 10)),
        record("Ethics", 6, "ethics", on=dt.date(2024, 2, 1)),
    ]
    assert standing("regional-psc", ok, on, issued=issued).status == rules.Status.ACTIVE
    short = [
        record("Domains", 20, "peer-domains", on=dt.date(2024, 1, 10)),
        record("Ethics", 5, "ethics", on=dt.date(2024, 2, 1)),
    ]
    assert standing("regional-psc", short, on, issued=issued).status == rules.Status.LAPSED


def test_not_issued_means_in_training():
    assert (
        standing("warmline-training", [], dt.date(2026, 1, 1), issued=None).status
        == rules.Status.IN_TRAINING
    )

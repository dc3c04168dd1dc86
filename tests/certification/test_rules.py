"""The rule engine at its boundaries, for the credential types of DOMAIN.md."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from peerportal.certification import rules
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import CETopic, TrainingRecord
from peerportal.certification.rules._shared import _by_date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _types():
    seed_credential_types()


ISSUED = dt.date(2024, 3, 15)


_ids = itertools.count(1)


APPROVED_PROVIDER = "Recovery Learning Institute (invented)"


def record(
    course,
    hours,
    topic_code=None,
    on=dt.date(2025, 6, 1),
    status="approved",
    provider="P",
    credit_requested=False,
):
    topic = CETopic.objects.get(code=topic_code) if topic_code else None
    r = TrainingRecord(
        course=course,
        provider=provider,
        credit_requested=credit_requested,
        completed_on=on,
        hours=Decimal(hours),
        topic=topic,
        status=status,
    )
    r.pk = next(_ids)
    r.topic_id = topic.pk if topic else None
    return r


def standing(code, records, on, issued=ISSUED, expires_on=None, attested=frozenset()):
    types = seed_credential_types()
    ctype = types[code]
    reqs = list(ctype.topic_requirements.select_related("topic"))
    return rules.standing(
        ctype, reqs, issued, records, on, expires_on=expires_on, attested=attested
    )


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
    enough = [record("Approved event", 20, provider=APPROVED_PROVIDER)]
    assert standing("national-prc", enough, dt.date(2026, 3, 15)).status == rules.Status.ACTIVE
    short = [record("Approved event", 19, provider=" recovery learning  institute (INVENTED)")]
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

    def status(records):
        return standing("regional-psc", records, on, issued=issued, attested={on}).status

    domains = dt.date(2024, 1, 10)
    ethics = dt.date(2024, 2, 1)
    # Exactly 20: 14 domain hours + 6 ethics.
    assert (
        status(
            [record("Domains", 14, "peer-domains", domains), record("Ethics", 6, "ethics", ethics)]
        )
        == rules.Status.ACTIVE
    )
    # Plenty of hours but one ethics hour short.
    assert (
        status(
            [record("Domains", 20, "peer-domains", domains), record("Ethics", 5, "ethics", ethics)]
        )
        == rules.Status.LAPSED
    )
    # One hour short of 20 in the domains: hours outside the domains do not fill the gap.
    assert (
        status(
            [
                record("Domains", 13, "peer-domains", domains),
                record("Ethics", 6, "ethics", ethics),
                record("Yoga", 5, None, ethics),
            ]
        )
        == rules.Status.LAPSED
    )


def test_not_issued_means_in_training():
    assert (
        standing("warmline-training", [], dt.date(2026, 1, 1), issued=None).status
        == rules.Status.IN_TRAINING
    )


def test_texas_style_events_off_the_approved_list_count_only_with_a_credit_request():
    on = dt.date(2026, 3, 15)  # the expiry day: renewal decided on what counts
    approved = record("Approved event", 12, provider=APPROVED_PROVIDER)
    off_list = record("Conference", 8, provider="Some Other Org", on=dt.date(2025, 7, 1))
    assert standing("national-prc", [approved, off_list], on).status == rules.Status.LAPSED
    requested = record(
        "Conference", 8, provider="Some Other Org", on=dt.date(2025, 7, 1), credit_requested=True
    )
    assert standing("national-prc", [approved, requested], on).status == rules.Status.ACTIVE
    # A credit request is granted only by approving the record: submitted ones never count.
    pending = record(
        "Conference",
        8,
        provider="Some Other Org",
        on=dt.date(2025, 7, 1),
        credit_requested=True,
        status="submitted",
    )
    assert standing("national-prc", [approved, pending], on).status == rules.Status.LAPSED


def test_approved_provider_list_does_not_restrict_credentials_without_it():
    # The state credential takes training from anyone (no pre-approval, DOMAIN.md).
    records = [
        record("Practice", 24, "peer-practice", provider="Anyone"),
        record("Ethics", 3, "ethics", provider="Anyone else"),
        record("Elective", 9, provider="A third"),
    ]
    assert standing("state-cps", records, dt.date(2026, 3, 15)).status == rules.Status.ACTIVE


def nebraska_ok_records():
    return [
        record("Domains", 14, "peer-domains", on=dt.date(2024, 1, 10)),
        record("Ethics", 6, "ethics", on=dt.date(2024, 2, 1)),
    ]


def test_nebraska_style_renewal_needs_the_holders_attestation():
    issued, end = dt.date(2022, 11, 1), dt.date(2025, 9, 1)
    without = standing("regional-psc", nebraska_ok_records(), end, issued=issued)
    assert without.status == rules.Status.LAPSED
    assert next(r for r in without.progress.requirements if r.label == "attestation").short_by == 1
    attested = standing("regional-psc", nebraska_ok_records(), end, issued=issued, attested={end})
    assert attested.status == rules.Status.ACTIVE and attested.expires_on == dt.date(2027, 9, 1)


def test_nebraska_style_waived_first_cycle_needs_no_attestation_either():
    s = standing("regional-psc", [], dt.date(2025, 9, 1), issued=dt.date(2024, 11, 1))
    assert s.status == rules.Status.ACTIVE


def test_fixed_calendar_skips_even_years_and_the_issue_day_itself():
    # Issued exactly on 1 September of an odd year: the cycle ends two years later.
    s = standing("regional-psc", [], dt.date(2023, 9, 2), issued=dt.date(2023, 9, 1))
    assert s.expires_on == dt.date(2025, 9, 1)
    # Issued in an even year before September: still the next odd year's date.
    s = standing("regional-psc", [], dt.date(2024, 3, 1), issued=dt.date(2024, 2, 1))
    assert s.expires_on == dt.date(2025, 9, 1)


def test_recorded_expiry_wins_and_does_not_renew_by_itself():
    issued, expires = dt.date(2025, 1, 10), dt.date(2026, 1, 10)
    # All hours done, but the certificate says it expires on 10 January 2026.
    records = [record("Ethics", 1, "ethics"), record("More", 3)]
    day_before = standing(
        "warmline-training", records, dt.date(2026, 1, 9), issued=issued, expires_on=expires
    )
    assert (
        day_before.status == rules.Status.EXPIRING
        and day_before.days_to_expiry(dt.date(2026, 1, 9)) == 1
    )
    on_expiry = standing("warmline-training", records, expires, issued=issued, expires_on=expires)
    assert on_expiry.status == rules.Status.IN_GRACE  # 14 grace days
    last_grace_day = expires + dt.timedelta(days=13)
    assert (
        standing(
            "warmline-training", records, last_grace_day, issued=issued, expires_on=expires
        ).status
        == rules.Status.IN_GRACE
    )
    assert (
        standing(
            "warmline-training",
            records,
            expires + dt.timedelta(days=14),
            issued=issued,
            expires_on=expires,
        ).status
        == rules.Status.LAPSED
    )


def test_warmline_training_counts_initial_training_and_supervised_hours_separately():
    ctype = seed_credential_types()["warmline-training"]
    initial = record("Warm-line basics", 16)
    initial.is_initial_training = True
    progress = rules.initial_progress(ctype, [initial], Decimal(0))
    assert progress.met
    short = record("Warm-line basics", 15)
    short.is_initial_training = True
    assert not rules.initial_progress(ctype, [short], Decimal(0)).met
    # Initial training never counts as continuing education.
    s = standing("warmline-training", [initial], dt.date(2024, 6, 1))
    assert next(r for r in s.progress.requirements if r.label == "total").done == 0


# --- Cycles that start on 29 February ---------------------------------------------------


def _anniversary(months: int):
    from peerportal.certification.models import CredentialType

    return CredentialType(
        code=f"leap-{months}", name="Leap", cycle_kind="anniversary", cycle_months=months
    )


@pytest.mark.parametrize(
    ("months", "ends"),
    [
        (24, [(2030, 2, 28), (2032, 2, 29), (2034, 2, 28)]),
        (12, [(2029, 2, 28), (2030, 2, 28), (2031, 2, 28), (2032, 2, 29)]),
        (48, [(2032, 2, 29), (2036, 2, 29)]),
    ],
)
def test_cycles_from_29_february_come_back_to_it_in_leap_years(months, ends):
    """Anniversaries are counted from the issue date, so the 29th is not lost for good."""
    got = [
        c.end
        for c in itertools.islice(
            rules.cycles(_anniversary(months), dt.date(2028, 2, 29), dt.date(2040, 1, 1)),
            len(ends),
        )
    ]
    assert got == [dt.date(*e) for e in ends]


def test_a_printed_first_expiry_anchors_the_following_cycles():
    got = [
        c.end
        for c in itertools.islice(
            rules.cycles(
                _anniversary(24),
                dt.date(2026, 1, 10),
                dt.date(2040, 1, 1),
                first_end=dt.date(2028, 2, 29),
            ),
            3,
        )
    ]
    assert got == [dt.date(2028, 2, 29), dt.date(2030, 2, 28), dt.date(2032, 2, 29)]


def test_a_fixed_expiry_on_29_february_falls_on_the_28th_in_common_years():
    from peerportal.certification.models import CredentialType

    ctype = CredentialType(
        code="leap-fixed",
        name="Leap fixed",
        cycle_kind="fixed",
        fixed_month=2,
        fixed_day=29,
        fixed_year_parity="any",
    )
    ends = [
        c.end
        for c in itertools.islice(rules.cycles(ctype, dt.date(2027, 6, 1), dt.date(2031, 1, 1)), 3)
    ]
    assert ends == [dt.date(2028, 2, 29), dt.date(2029, 2, 28), dt.date(2030, 2, 28)]


def test_a_credential_issued_on_29_february_is_active_until_the_28th_then_expires():
    ctype = _anniversary(24)
    ctype.ce_hours_per_cycle = Decimal(0)
    ctype.grace_days = 0
    before = rules.standing(ctype, [], dt.date(2028, 2, 29), [], dt.date(2030, 2, 27))
    assert before.status in (rules.Status.ACTIVE, rules.Status.EXPIRING)
    assert before.expires_on == dt.date(2030, 2, 28)


def test_adding_months_matches_relativedelta_on_every_day_of_a_leap_cycle():
    """The rules add months in plain arithmetic; it must agree with dateutil everywhere,
    month ends and 29 February included, forward and back."""
    from dateutil.relativedelta import relativedelta

    day = dt.date(2027, 12, 1)
    while day < dt.date(2029, 1, 1):
        for months in (-25, -12, -1, 1, 2, 11, 12, 13, 24, 48, 121):
            assert rules.add_months(day, months) == day + relativedelta(months=months), (
                day,
                months,
            )
        day += dt.timedelta(days=1)
    assert rules.add_months(dt.date(1900, 1, 29), 1) == dt.date(1900, 2, 28)
    assert rules.add_months(dt.date(2000, 1, 29), 1) == dt.date(2000, 2, 29)


def test_records_are_taken_in_date_then_id_order_unsaved_ones_included():
    """The same-course rule counts the first of a course in a cycle: records are taken by
    completion date, then id, an unsaved record (no id yet) first on its day and in the
    order given among unsaved ones."""
    from types import SimpleNamespace

    def rec(name, pk, day):
        return SimpleNamespace(name=name, pk=pk, completed_on=dt.date(2026, 1, day))

    saved = [rec("c", 9, 2), rec("a", 3, 1), rec("b", 4, 1)]
    assert [r.name for r in _by_date(saved)] == ["a", "b", "c"]
    mixed = [rec("late", 7, 1), rec("first", None, 1), rec("second", None, 1), rec("x", None, 3)]
    assert [r.name for r in _by_date(mixed)] == ["first", "second", "late", "x"]
    assert [r.name for r in mixed] == ["late", "first", "second", "x"]  # left as it was


def test_the_current_cycle_is_the_one_the_standing_reports():
    """``current_cycle`` skips the current cycle's hours: it must still name the cycle
    ``standing`` reports, on any day, through renewals, grace, lapses and recorded expiries."""
    scenarios = [
        ("state-cps", pa_records(), {}),
        ("state-cps", pa_records(elective=8), {}),
        ("state-cps", [], {"expires_on": dt.date(2025, 9, 1)}),
        ("national-prc", [record("Course", 20, provider=APPROVED_PROVIDER)], {}),
        ("regional-psc", [record("Ethics", 6, "ethics"), record("Domain", 14, "peer-domains")], {}),
        (
            "regional-psc",
            [record("Ethics", 6, "ethics"), record("Domain", 14, "peer-domains")],
            {"attested": frozenset({dt.date(2025, 9, 1)})},
        ),
        ("warmline-training", [record("Ethics", 4, "ethics")], {}),
    ]
    types = seed_credential_types()
    day = dt.date(2024, 1, 1)
    while day < dt.date(2030, 1, 1):
        for code, records, extra in scenarios:
            ctype = types[code]
            reqs = list(ctype.topic_requirements.select_related("topic"))
            for issued in (ISSUED, None):
                expected = rules.standing(ctype, reqs, issued, records, day, **extra).cycle
                got = rules.current_cycle(ctype, reqs, issued, records, day, **extra)
                assert got == expected, (code, day, issued)
        day += dt.timedelta(days=17)


def test_judging_many_records_at_once_answers_as_one_at_a_time():
    """``Applicabilities`` (a list page's records, each against a credential) must give
    ``applicability``'s answer for every record: repeats, providers, credit requests,
    records waiting, rejected, from before the issue, initial training, across cycles."""
    from copy import copy

    approved = [
        record("Ethics refresher", 3, "ethics", on=dt.date(2024, 5, 1)),
        record("ethics  Refresher", 3, "ethics", on=dt.date(2024, 9, 1)),  # a repeat
        record("Ethics refresher", 3, "ethics", on=dt.date(2026, 5, 1)),  # next cycle
        record("Conference", 5, provider="Some conference"),
        record("Panel", 2, provider="Some conference", credit_requested=True),
        record("Institute course", 20, "peer-practice", provider=APPROVED_PROVIDER),
        record("Early", 4, on=dt.date(2023, 1, 1)),
    ]
    initial = record("Basic training", 40)
    initial.is_initial_training = True
    approved.append(initial)
    same_as_approved = copy(approved[1])  # the same record, read again
    edited = copy(approved[3])
    edited.course = "Ethics Refresher"  # changed since read: now a repeat in its cycle
    others = [
        record("Ethics refresher", 3, "ethics", on=dt.date(2024, 6, 1), status="submitted"),
        record("Ethics refresher", 3, on=dt.date(2025, 1, 1), status="changes_requested"),
        record("Anything", 3, status="rejected"),
        record("Anything", 3, status="withdrawn"),
        record("Not in the list", 3, "ethics", on=dt.date(2024, 9, 1)),
        same_as_approved,
        edited,
    ]
    types = seed_credential_types()
    for code in ("state-cps", "national-prc", "regional-psc", "warmline-training"):
        ctype = types[code]
        reqs = list(ctype.topic_requirements.select_related("topic"))
        for issued, expires in ((ISSUED, None), (ISSUED, dt.date(2025, 1, 1)), (None, None)):
            judge = rules.Applicabilities(ctype, reqs, approved, issued, expires_on=expires)
            for r in approved + others:
                one = rules.applicability(r, ctype, reqs, approved, issued, expires_on=expires)
                assert judge(r) == one, (code, issued, expires, r.course, r.status)

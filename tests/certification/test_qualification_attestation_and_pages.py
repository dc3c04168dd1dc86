"""Qualification at a time, credit requests, attestation audits, and every page per persona."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.certification import rules, selectors, services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.exceptions import AlreadyDecided, CertificationError, NotYourTeam
from peerportal.certification.models import Attestation, Review
from peerportal.certification.qualification import (
    is_qualified,
    qualification_choices,
    qualified_user_ids,
    why_not_qualified,
)
from peerportal.core.models import AuditEvent
from peerportal.reminders.models import Reminder
from tests.certification.factories import grant_credential

pytestmark = pytest.mark.django_db

NOON = dt.time(12)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, NOON))


def today() -> dt.date:
    return selectors.local_today()


def submit(person, **extra):
    fields = {
        "course": "Boundaries",
        "provider": "Invented",
        "completed_on": today() - dt.timedelta(days=3),
        "hours": Decimal(3),
    }
    fields.update(extra)
    return services.training_record_submit(person=person, **fields)


# --- the contract the warm line uses ------------------------------------------------------


def test_grant_credential_with_an_expiry_is_valid_until_the_day_before(staff):
    expires = today() + dt.timedelta(days=10)
    grant_credential(staff, "door-duty", expires=expires)
    assert is_qualified(person=staff, code="door-duty", at=at(expires - dt.timedelta(days=1)))
    assert not is_qualified(person=staff, code="door-duty", at=at(expires))
    assert "not valid" in why_not_qualified(person=staff, code="door-duty", at=at(expires))


def test_grant_credential_with_a_past_expiry_is_not_qualified_now(staff):
    grant_credential(staff, "door-duty", expires=today() - dt.timedelta(days=1))
    assert not is_qualified(person=staff, code="door-duty", at=timezone.now())


def test_grace_period_counts_only_where_the_credential_allows_work_in_grace(staff, coordinator):
    types = seed_credential_types()
    expires = today() + dt.timedelta(days=5)
    for code in ("warmline-training", "state-cps"):
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types[code],
            issued_on=expires - dt.timedelta(days=365),
            expires_on=expires,
        )
    # warm-line training: 14 grace days, and holders may work in grace.
    last_grace_day = expires + dt.timedelta(days=13)
    assert is_qualified(person=staff, code="warmline-training", at=at(last_grace_day))
    assert not is_qualified(
        person=staff, code="warmline-training", at=at(last_grace_day + dt.timedelta(days=1))
    )
    # the state credential has 30 grace days but no work in grace.
    assert not is_qualified(person=staff, code="state-cps", at=at(expires))
    assert "grace period" in why_not_qualified(person=staff, code="state-cps", at=at(expires))
    assert is_qualified(person=staff, code="state-cps", at=at(expires - dt.timedelta(days=1)))


def test_in_training_is_not_qualified_and_says_why(staff, coordinator):
    types = seed_credential_types()
    services.certification_start_training(
        actor=coordinator, holder=staff, credential_type=types["warmline-training"]
    )
    assert not is_qualified(person=staff, code="warmline-training", at=timezone.now())
    assert "in training" in why_not_qualified(
        person=staff, code="warmline-training", at=timezone.now()
    )


def test_qualified_user_ids_and_choices(staff, other_staff):
    seed_credential_types()
    grant_credential(staff, "warmline-training")
    # Past the 14 grace days (holders may work during grace, so day 14 would still count).
    grant_credential(other_staff, "warmline-training", expires=today() - dt.timedelta(days=15))
    assert qualified_user_ids(code="warmline-training", at=timezone.now()) == {staff.pk}
    assert ("warmline-training", "Warm-line training (internal)") in qualification_choices()


def test_an_issued_expiry_before_the_issue_date_is_refused(staff, coordinator):
    types = seed_credential_types()
    with pytest.raises(CertificationError):
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types["state-cps"],
            issued_on=today(),
            expires_on=today(),
        )


# --- credit requests (approved-provider lists) ---------------------------------------------


def test_a_credit_request_is_granted_by_the_supervisors_approval(
    staff, supervisor, coordinator, supervisor_client
):
    types = seed_credential_types()
    cert = services.certification_issue(
        actor=coordinator,
        holder=staff,
        credential_type=types["national-prc"],
        issued_on=today() - dt.timedelta(days=100),
    )

    def total():
        standing = selectors.certification_standing(cert, today())
        return next(r for r in standing.progress.requirements if r.label == "total").done

    off_list = submit(staff, provider="Some conference", hours=Decimal(5))
    asked = submit(staff, course="Panel", provider="Some conference", credit_requested=True)
    queue = supervisor_client.get(reverse("certification:review-queue")).content.decode()
    assert "credit request" in queue
    for record in (off_list, asked):
        services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    assert total() == Decimal(3)  # only the requested one counts


# --- review history -----------------------------------------------------------------------


def test_changes_requested_then_resubmitted_keeps_every_decision(
    staff, supervisor, staff_client, other_staff_client
):
    record = submit(staff)
    services.training_record_review(
        reviewer=supervisor, record=record, decision="changes_requested", comment="Add hours"
    )
    edit = reverse("certification:record-edit", args=[record.pk])
    assert other_staff_client.get(edit).status_code == 404
    response = staff_client.post(
        edit,
        {
            "course": "Boundaries",
            "provider": "Invented",
            "completed_on": record.completed_on.isoformat(),
            "hours": "4",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "submitted" and record.hours == Decimal(4)
    services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    assert list(Review.objects.values_list("decision", flat=True)) == [
        "changes_requested",
        "approved",
    ]
    with pytest.raises(AlreadyDecided):
        services.training_record_review(reviewer=supervisor, record=record, decision="rejected")
    assert Reminder.objects.filter(kind="training_reviewed", recipient=staff).count() == 2


# --- attestation and audit ----------------------------------------------------------------


@pytest.fixture
def nebraska_cert(staff, coordinator):
    types = seed_credential_types()
    return services.certification_issue(
        actor=coordinator,
        holder=staff,
        credential_type=types["regional-psc"],
        issued_on=today() - dt.timedelta(days=700),
        expires_on=today() + dt.timedelta(days=30),
    )


def attestation_requirement(cert):
    standing = selectors.certification_standing(cert, today())
    return next(r for r in standing.progress.requirements if r.label == "attestation")


def test_the_holder_attests_once_per_cycle_through_the_page(nebraska_cert, staff, staff_client):
    page = staff_client.get(reverse("certification:progress")).content.decode()
    assert "Attest for this cycle" in page
    url = reverse("certification:certification-attest")
    assert staff_client.post(url, {"certification": nebraska_cert.pk}).status_code == 302
    staff_client.post(url, {"certification": nebraska_cert.pk})
    att = Attestation.objects.get()
    assert att.cycle_end == nebraska_cert.expires_on
    assert attestation_requirement(nebraska_cert).met
    assert AuditEvent.objects.filter(action="certification.attest").count() == 1


def test_nobody_attests_for_someone_else(
    nebraska_cert, other_staff_client, coordinator_client, member_client
):
    url = reverse("certification:certification-attest")
    assert other_staff_client.post(url, {"certification": nebraska_cert.pk}).status_code == 404
    assert coordinator_client.post(url, {"certification": nebraska_cert.pk}).status_code == 404
    assert other_staff_client.post(url, {"certification": "x"}).status_code == 404
    assert member_client.post(url, {"certification": nebraska_cert.pk}).status_code == 403
    assert not Attestation.objects.exists()


def test_a_failed_audit_means_the_attestation_no_longer_counts(
    nebraska_cert, staff, coordinator, coordinator_client, supervisor_client
):
    att = services.certification_attest(holder=staff, certification=nebraska_cert)
    listing = reverse("certification:attestation-list")
    assert staff.display_name in coordinator_client.get(listing).content.decode()
    assert supervisor_client.get(listing).status_code == 403
    url = reverse("certification:attestation-audit", args=[att.pk])
    assert coordinator_client.post(url, {"action": "select"}).status_code == 302
    assert Reminder.objects.filter(kind="credential_audit", recipient=staff).count() == 1
    # Failing needs a reason.
    response = coordinator_client.post(url, {"outcome": "failed"})
    assert response.status_code == 200 and "comment" in response.context["form"].errors
    coordinator_client.post(url, {"outcome": "failed", "comment": "Certificates missing"})
    att.refresh_from_db()
    assert att.audit == "failed" and att.audited_at is not None
    assert not attestation_requirement(nebraska_cert).met
    assert AuditEvent.objects.filter(action="attestation.audit_failed").exists()
    with pytest.raises(AlreadyDecided):  # the outcome is final
        services.attestation_audit_decide(actor=coordinator, attestation=att, passed=True)
    with pytest.raises(NotYourTeam):
        services.attestation_audit_decide(actor=staff, attestation=att, passed=True)


def test_only_coordinators_audit_and_never_their_own(nebraska_cert, staff, supervisor, coordinator):
    att = services.certification_attest(holder=staff, certification=nebraska_cert)
    with pytest.raises(NotYourTeam):
        services.attestation_audit_select(actor=supervisor, attestation=att)
    types = seed_credential_types()
    own_cert = services.certification_issue(
        actor=coordinator,
        holder=coordinator,
        credential_type=types["regional-psc"],
        issued_on=today() - dt.timedelta(days=700),
        expires_on=today() + dt.timedelta(days=30),
    )
    own = services.certification_attest(holder=coordinator, certification=own_cert)
    with pytest.raises(NotYourTeam):
        services.attestation_audit_select(actor=coordinator, attestation=own)


# --- dashboards, transcripts --------------------------------------------------------------


def test_supervisor_dashboard_shows_only_the_team_and_coordinators_see_everyone(
    staff, other_staff, supervisor_client, coordinator_client
):
    seed_credential_types()
    grant_credential(staff, "state-cps", issued=today() - dt.timedelta(days=700))
    submit(staff)
    team = supervisor_client.get(reverse("certification:team"))
    # The rows carry each person's id and display name (not a whole account).
    people = [(row["person"].pk, row["person"].display_name) for row in team.context["rows"]]
    assert people == [(staff.pk, staff.display_name)]
    html = team.content.decode()
    assert "Expiring soon" in html and "short on hours" in html
    assert team.context["rows"][0]["pending"] == 1
    everyone = coordinator_client.get(reverse("certification:team"))
    assert {staff.pk, other_staff.pk} <= {row["person"].pk for row in everyone.context["rows"]}
    assert everyone.context["page"].paginator.per_page == 25


def test_transcript_csv_is_checked_audited_and_safe_for_spreadsheets(
    staff, staff_client, other_staff_client, supervisor_client
):
    submit(staff, course="=HYPERLINK(1)")
    url = reverse("certification:transcript-csv", args=[staff.pk])
    assert other_staff_client.get(url).status_code == 404
    response = supervisor_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert AuditEvent.objects.filter(action="transcript.export", object_id=str(staff.pk)).exists()
    assert staff_client.get(url).status_code == 200


def test_evidence_of_a_record_without_a_file_or_of_no_record_is_404(staff, staff_client):
    record = submit(staff)
    assert (
        staff_client.get(reverse("certification:evidence-download", args=[record.pk])).status_code
        == 404
    )
    assert (
        staff_client.get(reverse("certification:evidence-download", args=[987654])).status_code
        == 404
    )


def test_expiry_reminders_follow_a_renewal_and_stop_when_lapsed(staff, coordinator):
    types = seed_credential_types()
    cert = services.certification_issue(
        actor=coordinator,
        holder=staff,
        credential_type=types["national-prc"],
        issued_on=today() - dt.timedelta(days=800),
    )  # lapsed (no hours, no grace): nothing to remind about
    assert not Reminder.objects.filter(kind="credential_expiring", status="pending").exists()
    services.certification_issue(
        actor=coordinator, holder=staff, credential_type=cert.credential_type, issued_on=today()
    )
    assert Reminder.objects.filter(kind="credential_expiring", status="pending").count() == 8


def test_status_labels_cover_every_status():
    assert set(rules.STATUS_LABELS) == {
        rules.Status.IN_TRAINING,
        rules.Status.ACTIVE,
        rules.Status.EXPIRING,
        rules.Status.IN_GRACE,
        rules.Status.LAPSED,
    }


# --- every page per persona ---------------------------------------------------------------

PAGES = [
    ("certification:progress", "staff", None),
    ("certification:record-create", "staff", None),
    ("certification:review-queue", "supervisor", None),
    ("certification:team", "supervisor", None),
    ("certification:supervision-create", "supervisor", None),
    ("certification:certification-issue", "coordinator", None),
    ("certification:attestation-list", "coordinator", None),
    ("certification:transcript", "staff", "self"),
]
RANK = {"member": 0, "staff": 1, "supervisor": 2, "coordinator": 3}


@pytest.mark.parametrize(("name", "role", "arg"), PAGES)
def test_every_page_per_persona(
    name, role, arg, persona_clients, anonymous_client, member, staff, supervisor, coordinator
):
    users = {"member": member, "staff": staff, "supervisor": supervisor, "coordinator": coordinator}
    for persona, client in persona_clients.items():
        url = reverse(name, args=[users[persona].pk] if arg else [])
        expected = 200 if RANK[persona] >= RANK[role] else 403
        assert client.get(url).status_code == expected, (persona, name)
    url = reverse(name, args=[staff.pk] if arg else [])
    assert anonymous_client.get(url).status_code == 302


def test_the_many_form_answers_as_the_single_one_for_attesting_and_provider_credentials(
    staff, supervisor, coordinator, django_assert_max_num_queries, monkeypatch
):
    """``why_not_qualified_many`` (the warm-line board) loads approved providers and
    attestations only for credentials whose rules read them: its answers must still be
    ``why_not_qualified``'s, day by day, for every kind of credential."""
    from peerportal.certification.qualification import why_not_qualified_many

    types = seed_credential_types()
    issued = {"national-prc": 500, "regional-psc": 1500, "state-cps": 300}
    certs = {
        code: services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types[code],
            issued_on=today() - dt.timedelta(days=days),
        )
        for code, days in issued.items()
    }
    for record in (
        submit(staff, provider="Some conference", hours=Decimal(5)),
        submit(staff, course="Panel", provider="Some conference", credit_requested=True),
        submit(staff, course="Ethics", hours=Decimal(12)),
    ):
        services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    # Attested (not failed) for each past cycle end but one: the renewal depends on them.
    ends = [
        cycle.end
        for cycle in rules.cycles(types["regional-psc"], today() - dt.timedelta(days=1500), today())
    ]
    for end in ends[:-2]:
        Attestation.objects.create(certification=certs["regional-psc"], cycle_end=end)
    codes = [*issued, "warmline-training", "no-such-credential"]
    asks = {
        (code, at(today() + dt.timedelta(days=step)))
        for code in codes
        for step in range(-800, 900, 23)
    }
    with django_assert_max_num_queries(6):  # five, and the credential names
        many = why_not_qualified_many(person=staff, asks=asks)
    assert many == {
        (code, moment): why_not_qualified(person=staff, code=code, at=moment)
        for code, moment in asks
    }
    assert len(set(many.values())) > 3  # several different answers
    # Equal answers alone do not show that attestations were read (here they decide no
    # answer): the standing of the attesting credential must be given the attested cycles.
    assert ends[:-2], "the scenario needs attested cycles"
    given = {}

    def spy(cert, on, records, attested, *args):
        given[cert.credential_type.code] = attested
        return standing(cert, on, records, attested, *args)

    standing = selectors.certification_standing  # read by the function when it runs
    monkeypatch.setattr(selectors, "certification_standing", spy)
    why_not_qualified_many(person=staff, asks=asks)
    assert given["regional-psc"] == frozenset(ends[:-2])

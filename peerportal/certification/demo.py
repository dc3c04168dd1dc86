"""Three invented credential types modelled on real rules (DOMAIN.md), and demo records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import services
from .models import (
    ApprovedProvider,
    CETopic,
    CredentialType,
    RecordStatus,
    TopicRequirement,
    TrainingRecord,
)

TOPICS = [
    ("peer-practice", "Peer support and recovery practice"),
    ("ethics", "Ethics"),
    ("peer-domains", "Peer-support domains"),
]

TYPES = [
    # Like Pennsylvania's CPS: 2-year anniversary cycle, 36 h with ≥24 practice and ≥3 ethics.
    {
        "code": "state-cps",
        "name": "State Certified Peer Specialist (invented)",
        "issuing_body": "State Certification Board (invented)",
        "initial_training_hours": Decimal(75),
        "exam_required": True,
        "cycle_kind": "anniversary",
        "cycle_months": 24,
        "ce_hours_per_cycle": Decimal(36),
        "grace_days": 30,
        "requirements": [("peer-practice", 24), ("ethics", 3)],
    },
    # Like Texas: 24 months, 20 CE hours from approved events; others need a credit request.
    {
        "code": "national-prc",
        "name": "National Peer Recovery Credential (invented)",
        "issuing_body": "National Peer Board (invented)",
        "cycle_kind": "anniversary",
        "cycle_months": 24,
        "ce_hours_per_cycle": Decimal(20),
        "grace_days": 0,
        "requires_approved_provider": True,
        "providers": ["Recovery Learning Institute (invented)"],
        "requirements": [],
    },
    # Like Nebraska: all expire 1 September of odd years; 20 h with ≥6 ethics; waived if certified within 12 months.
    {
        "code": "regional-psc",
        "name": "Regional Peer Support Certificate (invented)",
        "issuing_body": "Regional Office (invented)",
        "cycle_kind": "fixed",
        "fixed_month": 9,
        "fixed_day": 1,
        "fixed_year_parity": "odd",
        "ce_hours_per_cycle": Decimal(20),
        "waive_ce_if_issued_within_months": 12,
        "attestation_required": True,
        "elective_hours_count": False,
        # 20 hours in the peer-support domains, of which at least 6 on ethics.
        "requirements": [("peer-domains", 0), ("ethics", 6)],
    },
    # The organization's own warm-line training, required for warm-line shifts.
    {
        "code": "warmline-training",
        "name": "Warm-line training (internal)",
        "issuing_body": "Harbor Light Peer Collective",
        "initial_training_hours": Decimal(16),
        "cycle_kind": "anniversary",
        "cycle_months": 12,
        "ce_hours_per_cycle": Decimal(4),
        "grace_days": 14,
        "work_allowed_in_grace": True,
        "requirements": [("ethics", 1)],
    },
]


@transaction.atomic
def seed_credential_types() -> dict[str, CredentialType]:
    topics = {
        code: CETopic.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in TOPICS
    }
    out = {}
    for spec in TYPES:
        spec = dict(spec)
        requirements = spec.pop("requirements", [])
        providers = spec.pop("providers", [])
        ctype, _ = CredentialType.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        for topic_code, hours in requirements:
            TopicRequirement.objects.get_or_create(
                credential_type=ctype, topic=topics[topic_code], defaults={"min_hours": hours}
            )
        for name in providers:
            ApprovedProvider.objects.get_or_create(credential_type=ctype, name=name)
        out[ctype.code] = ctype
    return out


def seed(*, people, scale="small", stdout=None) -> None:
    types = seed_credential_types()
    today = timezone.localdate()
    staff, staff2 = people["staff"], people["staff2"]
    coordinator = people["coordinator"]
    if not staff.certifications.exists():
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types["warmline-training"],
            issued_on=today - dt.timedelta(days=200),
            number="WL-0001",
        )
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types["state-cps"],
            issued_on=today - dt.timedelta(days=600),
            number="CPS-1001",
        )
        services.certification_start_training(
            actor=coordinator, holder=staff2, credential_type=types["warmline-training"]
        )
    if not TrainingRecord.objects.filter(person=staff).exists():
        ethics = CETopic.objects.get(code="ethics")
        practice = CETopic.objects.get(code="peer-practice")
        services.training_record_submit(
            person=staff,
            course="Boundaries in peer work",
            provider="Community College (invented)",
            completed_on=today - dt.timedelta(days=40),
            hours=Decimal(3),
            topic=ethics,
        )
        rec = services.training_record_submit(
            person=staff,
            course="Trauma-informed peer support",
            provider="Recovery Learning Institute (invented)",
            completed_on=today - dt.timedelta(days=90),
            hours=Decimal(12),
            topic=practice,
        )
        services.training_record_review(
            reviewer=people["supervisor"], record=rec, decision=RecordStatus.APPROVED, comment=""
        )
        services.training_record_submit(
            person=staff2,
            course="Warm-line basics",
            provider="Harbor Light Peer Collective",
            completed_on=today - dt.timedelta(days=5),
            hours=Decimal(8),
            is_initial_training=True,
        )
    if not staff2.certifications.filter(credential_type=types["regional-psc"]).exists():
        # A fixed-calendar credential (1 September of odd years); and a
        # credit request for an event off the national credential's approved list.
        services.certification_issue(
            actor=coordinator,
            holder=staff2,
            credential_type=types["regional-psc"],
            issued_on=today - dt.timedelta(days=200),
            number="RPS-2044",
        )
        services.certification_issue(
            actor=coordinator,
            holder=staff,
            credential_type=types["national-prc"],
            issued_on=today - dt.timedelta(days=300),
            number="NPR-3310",
        )
        services.training_record_submit(
            person=staff,
            course="Regional peer conference (invented)",
            provider="Peer Network Gathering (invented)",
            completed_on=today - dt.timedelta(days=20),
            hours=Decimal(6),
            credit_requested=True,
        )
    seed_trainings(people=people)
    if stdout is not None:
        stdout.write("certification: credential types, certifications and records ready")
    if scale == "large":
        seed_large(
            types=types, coordinator=coordinator, supervisor=people["supervisor"], stdout=stdout
        )


TRAININGS = [
    # (title, days from today, facilitator key, {topic code or None: hours}, closed)
    (
        "Ethics and boundaries refresher (invented)",
        -14,
        "supervisor",
        {"ethics": 3, "peer-practice": 2},
        True,
    ),
    ("Peer support practice day (invented)", 7, "staff", {"peer-practice": 5, None: 1}, False),
]


def seed_trainings(*, people) -> None:
    """Two trainings the organization runs: one closed (the staff members were credited from
    attendance, with certificates), one coming up with staff registered."""
    from .models import TrainingEvent

    if TrainingEvent.objects.exists():
        return
    today = timezone.localdate()
    topics = {t.code: t for t in CETopic.objects.all()}
    coordinator = people["coordinator"]
    provider = services.approved_provider_names()[0]
    for title, days, facilitator_key, hours, closed in TRAININGS:
        facilitator = people[facilitator_key]
        event = services.training_event_save(
            actor=coordinator,
            title=title,
            description="",
            provider=provider,
            held_on=today + dt.timedelta(days=days),
            facilitator=facilitator,
            topic_hours={topics.get(code): Decimal(h) for code, h in hours.items()},
        )
        for key in ("staff", "staff2"):
            if people[key] != facilitator:
                services.training_attendee_register(person=people[key], event=event)
        if closed:
            services.training_attendance_record(
                actor=facilitator,
                event=event,
                present_ids=[people["staff"].pk, people["staff2"].pk],
            )
            services.training_event_close(actor=facilitator, event=event)


LARGE_RECORDS_PER_PERSON = 20
COURSES = [
    ("Boundaries in peer work", "ethics"),
    ("Trauma-informed peer support", "peer-practice"),
    ("Recovery storytelling", "peer-practice"),
    ("Ethics refresher", "ethics"),
    ("Wellness planning", "peer-domains"),
    ("Self-care for peer workers", None),
]


def seed_large(*, types, coordinator, supervisor, stdout=None) -> None:
    """Benchmarks: the 80 large-scale staff hold credentials, with two years of training
    records (most approved, some waiting for review) and monthly supervision (bulk inserts)."""
    import random

    from peerportal.accounts.models import User
    from peerportal.core.demo import LARGE_DOMAIN

    from .models import Review, ReviewDecision, SupervisionSession

    staff = list(
        User.objects.filter(role="peer_specialist", email__endswith=f"@{LARGE_DOMAIN}").order_by(
            "pk"
        )
    )
    if not staff or TrainingRecord.objects.filter(person=staff[-1]).exists():
        return
    rng = random.Random(20261124)  # noqa: S311 — invented data, reproducible
    today = timezone.localdate()
    for n, person in enumerate(staff):
        services.certification_issue(
            actor=coordinator,
            holder=person,
            credential_type=types["warmline-training"],
            issued_on=today - dt.timedelta(days=rng.randint(10, 330)),
            number=f"WL-{5000 + n}",
        )
        if n % 2 == 0:
            services.certification_issue(
                actor=coordinator,
                holder=person,
                credential_type=types["state-cps"],
                issued_on=today - dt.timedelta(days=rng.randint(60, 700)),
                number=f"CPS-{7000 + n}",
            )
    topics = {t.code: t for t in CETopic.objects.all()}
    records = []
    for person in staff:
        for k in range(LARGE_RECORDS_PER_PERSON):
            course, topic = COURSES[k % len(COURSES)]
            roll = rng.random()
            records.append(
                TrainingRecord(
                    person=person,
                    course=f"{course} ({k // len(COURSES) + 1})",
                    provider="Recovery Learning Institute (invented)",
                    completed_on=today - dt.timedelta(days=rng.randint(1, 730)),
                    hours=Decimal(rng.choice([1, 2, 3, 4, 6])),
                    topic=topics.get(topic) if topic else None,
                    status=RecordStatus.APPROVED
                    if roll < 0.75
                    else RecordStatus.SUBMITTED
                    if roll < 0.95
                    else RecordStatus.CHANGES_REQUESTED,
                )
            )
    TrainingRecord.objects.bulk_create(records, batch_size=2000)
    Review.objects.bulk_create(
        (
            Review(
                record=r,
                reviewer=supervisor,
                decision=ReviewDecision.APPROVE
                if r.status == RecordStatus.APPROVED
                else ReviewDecision.REQUEST_CHANGES,
            )
            for r in records
            if r.status != RecordStatus.SUBMITTED
        ),
        batch_size=2000,
    )
    SupervisionSession.objects.bulk_create(
        (
            SupervisionSession(
                staff=person,
                supervisor=supervisor,
                date=today - dt.timedelta(days=30 * m + 3),
                hours=Decimal(1),
            )
            for person in staff
            for m in range(24)
        ),
        batch_size=2000,
    )
    if stdout is not None:
        stdout.write(
            f"certification large: {len(staff)} staff credentialed, {len(records)} training records"
        )

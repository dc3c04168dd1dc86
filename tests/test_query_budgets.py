"""Query budgets (issue #10): every main page runs at most 12 queries, and the same number
with a little data as with a lot (no N+1 anywhere on the page, panels included).

"Small" is the demo data (`seed_demo`); "large" is the same organization after ``grow``
has added, for the same people, many more of everything each page lists: groups, sessions
and bookings, shifts, assignments, swaps and calls, events and RSVPs, visit counts, staff
with certifications and training records, reminders, audit events, people and locations.
Each page is requested once to warm up (first visits create a calendar token, for example),
then counted at both sizes.

Counted queries are those Django sends; the savepoints a test transaction adds around
writes are not queries a production request would make, so they are left out.

The table must name every page in the navigation (a test below fails when a new nav entry
has no budget), plus the detail pages people open most.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

# One worker measures every page (the module fixture builds both worlds once, ~25 s): under
# pytest-xdist with --dist loadgroup the group keeps the module on a single worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("query-budgets")]

BUDGET = 12
GROW = 30  # more than any page size, so every list shows a full page at "large"


@dataclass(frozen=True)
class Page:
    persona: str | None  # a demo person's key; None = anonymous
    url_name: str
    arg: str | None = None  # key into the world's objects, for detail pages


PAGES = [
    # Everyone
    Page(None, "core:home"),
    Page(None, "core:location-list"),
    Page(None, "core:location-detail", "location"),
    Page(None, "groups:group-list"),
    Page(None, "dropin:event-list"),
    Page(None, "dropin:calendar-month"),
    Page(None, "dropin:calendar-week"),
    Page(None, "dropin:event-detail", "event"),
    # Members
    Page("member", "core:dashboard"),
    Page("member", "groups:group-list"),
    Page("member", "groups:group-detail", "group"),
    Page("member", "groups:booking-list"),
    Page("member", "groups:standing-list"),
    Page("member", "dropin:event-list"),
    Page("member", "dropin:event-detail", "event"),
    Page("member", "dropin:rsvp-list"),
    Page("member", "reminders:reminder-list"),
    Page("member", "accounts:profile"),
    Page("member", "core:location-list"),
    # Peer specialists
    Page("staff", "core:dashboard"),
    Page("staff", "groups:session-list"),
    Page("staff", "groups:session-roster", "session"),
    Page("staff", "warmline:board"),
    Page("staff", "warmline:board-month"),
    Page("staff", "warmline:my-shifts"),
    Page("staff", "warmline:swap-list"),
    Page("staff", "warmline:call-list"),
    Page("staff", "dropin:tally-list"),
    Page("staff", "certification:progress"),
    Page("staff", "certification:training-list"),
    Page("staff", "certification:training-attendance", "training"),
    Page("staff", "certification:training-close", "training"),
    Page("staff", "certification:training-certificate", "credit"),
    # Supervisors
    Page("supervisor", "core:dashboard"),
    Page("supervisor", "certification:review-queue"),
    Page("supervisor", "certification:record-review", "record"),
    Page("supervisor", "certification:team"),
    Page("supervisor", "certification:transcript", "staff"),
    Page("supervisor", "warmline:line-list"),
    Page("supervisor", "warmline:shift-detail", "shift"),
    Page("supervisor", "reports:warmline:overview"),
    # Coordinators
    Page("coordinator", "core:dashboard"),
    Page("coordinator", "accounts:people-list"),
    Page("coordinator", "core:audit-list"),
    Page("coordinator", "core:organization-edit"),
    Page("coordinator", "groups:group-manage-list"),
    Page("coordinator", "groups:group-places-edit", "group"),
    Page("coordinator", "groups:group-sessions", "group"),
    Page("coordinator", "reports:groups:overview"),
    Page("coordinator", "reports:dropin:overview"),
    Page("coordinator", "certification:attestation-list"),
    Page("coordinator", "certification:team"),
    Page("coordinator", "certification:training-list"),
    Page("coordinator", "reminders:reminder-failed-list"),
    Page("coordinator", "imports:import-start"),
]


def _count(client: Client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    sql = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]
    return len(sql), sql


def _objects(people) -> dict:
    """The objects the detail pages open: each one that the data grows around."""
    from peerportal.certification.models import (
        RecordStatus,
        TrainingCredit,
        TrainingEvent,
        TrainingRecord,
    )
    from peerportal.core.models import Location
    from peerportal.dropin.models import Event
    from peerportal.groups.demo import DEMO_GROUPS
    from peerportal.groups.models import SupportGroup
    from peerportal.warmline.models import Shift

    group = SupportGroup.objects.get(name=DEMO_GROUPS[0][0])
    return {
        "location": Location.objects.order_by("pk").first(),
        "group": group,
        "session": group.sessions.upcoming().order_by("starts_at").first(),
        "event": Event.objects.filter(starts_at__gt=timezone.now(), rsvp_enabled=True)
        .order_by("starts_at")
        .first(),
        "shift": Shift.objects.filter(
            assignments__person=people["staff"], starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first(),
        "record": TrainingRecord.objects.filter(
            person=people["staff"], status=RecordStatus.SUBMITTED
        ).first(),
        "staff": people["staff"],
        "training": TrainingEvent.objects.get(facilitator=people["staff"], closed_at__isnull=True),
        "credit": TrainingCredit.objects.filter(person=people["staff"]).first(),
    }


def grow(people, objects, n: int, start: int = 0) -> None:  # noqa: PLR0915 — one place that adds everything
    """Add ``n`` more of everything the main pages list, for the demo people.

    ``start`` numbers the new names, so growing twice does not repeat one.
    """
    from peerportal.certification.models import (
        Attestation,
        Review,
        SupervisionSession,
        TrainingAttendee,
        TrainingCredit,
        TrainingEvent,
        TrainingEventTopic,
        TrainingRecord,
    )
    from peerportal.core.audit import audit_record
    from peerportal.core.models import Location, OpeningHours, Organization
    from peerportal.dropin.models import RSVP, Event, VisitTally
    from peerportal.groups import services as groups
    from peerportal.groups import standing
    from peerportal.groups.models import Booking, SupportGroup
    from peerportal.reminders.models import Reminder, ReminderStatus
    from peerportal.warmline.models import (
        CallRecord,
        CallTopic,
        Referral,
        Shift,
        ShiftAssignment,
        SwapRequest,
        WarmLine,
    )
    from tests.certification.factories import CETopicFactory, grant_credential
    from tests.factories import StaffFactory, UserFactory
    from tests.groups.factories import SupportGroupFactory
    from tests.reminders.factories import ReminderFactory

    member, staff, supervisor = people["member"], people["staff"], people["supervisor"]
    coordinator = people["coordinator"]
    tz = Organization.get().tzinfo
    now = timezone.now()
    today = timezone.localdate(now, tz)
    place = objects["location"]

    # People and places
    members = UserFactory.create_batch(n)
    for k in range(n):
        location = Location.objects.create(
            name=f"Grown place {start + k}", address=f"{start + k} Test Road"
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=d, opens=dt.time(9), closes=dt.time(17))
            for d in range(5)
        )
        OpeningHours.objects.create(
            location=place, weekday=6, opens=dt.time(8 + k % 8), closes=dt.time(20)
        )

    # Support groups: more groups the staff member facilitates, with sessions; the member
    # is booked on many sessions and waitlisted on others; the demo session's roster grows.
    for _ in range(n):
        group = SupportGroupFactory(
            location=place, capacity=1, first_date=today - dt.timedelta(days=7), horizon_weeks=4
        )
        group.facilitators.add(staff)
        groups.group_sessions_generate(group=group)
        session = group.sessions.upcoming().order_by("starts_at").first()
        taker = members[_ % len(members)]
        groups.booking_create(session=session, member=taker)  # the one seat
        groups.booking_create(session=session, member=member)  # waitlisted
        later = group.sessions.upcoming().order_by("starts_at")[1]
        groups.booking_create(session=later, member=member)  # confirmed
        group.standing_places_allowed = True
        group.save(update_fields=["standing_places_allowed"])
        standing.standing_place_join(group=group, member=member, cadence="weekly")
    # The demo group's page offers standing places (one more read on the page).
    SupportGroup.objects.filter(pk=objects["group"].pk).update(standing_places_allowed=True)
    roster = objects["session"]
    for person in members:
        groups.booking_create(session=roster, member=person)
    assert Booking.objects.filter(session=roster).count() > n
    assert SupportGroup.objects.count() > n

    # Warm line: shifts with the staff member on them, swaps offered, calls logged.
    line = WarmLine.objects.get()
    topics = list(CallTopic.objects.all())
    referrals = list(Referral.objects.all())
    for k in range(n):
        starts = now + dt.timedelta(days=1 + k % 20, hours=k)
        shift = Shift.objects.create(
            line=line, starts_at=starts, ends_at=starts + dt.timedelta(hours=3), max_staff=3
        )
        mine = ShiftAssignment.objects.create(shift=shift, person=staff, slot=1)
        ShiftAssignment.objects.create(shift=shift, person=people["staff2"], slot=2)
        if k % 2:
            SwapRequest.objects.create(assignment=mine)
        call = CallRecord.objects.create(
            line=line,
            author=staff,
            contact_type="call",
            started_at=now - dt.timedelta(hours=2 + k),
            duration_minutes=10 + k,
        )
        call.topics.set(topics[: 1 + k % len(topics)])
        call.referrals.set(referrals[: k % len(referrals)])

    # Drop-in: events with RSVPs, and visit counts on more days.
    for k in range(n):
        event = Event.objects.create(
            location=objects["event"].location,
            title=f"Grown event {start + k}",
            starts_at=now + dt.timedelta(days=1 + k % 6, hours=k % 5),
            ends_at=now + dt.timedelta(days=1 + k % 6, hours=k % 5 + 1),
            capacity=50,
            rsvp_enabled=True,
        )
        RSVP.objects.create(event=event, member=member)
        RSVP.objects.create(event=objects["event"], member=members[k])
        VisitTally.objects.get_or_create(
            location=objects["event"].location,
            date=today - dt.timedelta(days=40 + start + k),
            category=None,
            defaults={"count": 5 + k},
        )

    # Certification: the supervisor's team grows, each person holding a credential with
    # records waiting for review and approved; the staff member's own history grows.
    topic = CETopicFactory(code="grown-topic")
    for k in range(n):
        person = StaffFactory(supervisor=supervisor)
        cert = grant_credential(person, "grown-credential")
        Attestation.objects.create(certification=cert, cycle_end=today + dt.timedelta(days=k))
        TrainingRecord.objects.create(
            person=person,
            course=f"Grown course {start + k}",
            provider="Invented Institute",
            completed_on=today - dt.timedelta(days=k),
            hours=Decimal(2),
            topic=topic,
        )
        SupervisionSession.objects.create(
            staff=person, supervisor=supervisor, date=today, hours=Decimal(1)
        )
        approved = TrainingRecord.objects.create(
            person=staff,
            course=f"Staff course {start + k}",
            provider="Invented Institute",
            completed_on=today - dt.timedelta(days=k),
            hours=Decimal(1),
            topic=topic,
            status="approved",
        )
        Review.objects.create(record=approved, reviewer=supervisor, decision="approved")
        SupervisionSession.objects.create(
            staff=staff, supervisor=supervisor, date=today, hours=Decimal(1)
        )
        grant_credential(staff, f"staff-credential-{start + k}")

    # Trainings: more on the list (each with topic lines), more staff on the open
    # training's roster, and more certificates of attendance for the staff member.
    open_training = objects["training"]
    for k in range(n):
        event = TrainingEvent.objects.create(
            title=f"Grown training {start + k}",
            provider="Invented Institute",
            held_on=today - dt.timedelta(days=1 + k % 20),
            facilitator=supervisor,
            closed_at=now,
            closed_by=supervisor,
        )
        TrainingEventTopic.objects.create(event=event, topic=topic, hours=Decimal(2))
        TrainingEventTopic.objects.create(event=event, topic=None, hours=Decimal(1))
        TrainingAttendee.objects.create(event=event, person=staff, attended=True)
        TrainingCredit.objects.create(event=event, person=staff, approved_by=supervisor)
        TrainingAttendee.objects.create(
            event=open_training, person=StaffFactory(), attended=bool(k % 2)
        )
    credit = objects["credit"]
    for k in range(n):  # the certificate shows the credit's records: more topic lines
        TrainingRecord.objects.create(
            person=staff,
            course=credit.event.title,
            provider=credit.event.provider,
            completed_on=credit.event.held_on,
            hours=Decimal("0.5"),
            topic=CETopicFactory(code=f"grown-cert-topic-{start + k}"),
            status="approved",
            credit=credit,
        )

    # Reminders and the audit trail.
    for k in range(n):
        ReminderFactory(recipient=member, due_at=now + dt.timedelta(hours=k + 1))
        ReminderFactory(
            recipient=members[k],
            status=ReminderStatus.FAILED,
            attempts=3,
            due_at=now - dt.timedelta(hours=k + 1),
        )
        audit_record(actor=coordinator, action="grown.event", obj=members[k])
    assert Reminder.objects.filter(recipient=member).count() > n


def _build_world():
    from peerportal.core.demo import seed_all

    people = seed_all()
    objects = _objects(people)
    # One of everything on top of the demo, so "small" shows no empty states that "large"
    # does not have: the comparison is about rows, not about empty versus full pages.
    grow(people, objects, 1, start=1000)
    return people, objects


@pytest.fixture
def world():
    return _build_world()


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every page counted at both sizes, once for the module, in a transaction rolled back
    afterwards (building the large world once keeps this to a few seconds)."""
    import time_machine
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    # The clock stands still while pages are counted: on a slow machine a minute could pass
    # between the two sizes and add the once-a-minute session write to one count only.
    with django_db_blocker.unblock(), time_machine.travel(timezone.now(), tick=False):
        cache.clear()
        with transaction.atomic():
            people, objects = _build_world()
            clients = _clients(people)
            for page in PAGES:  # warm up: a person's one-time first-visit work is not counted
                clients[page.persona].get(_path(page, objects))
            small = {page: _count(clients[page.persona], _path(page, objects)) for page in PAGES}
            grow(people, objects, GROW)
            large = {page: _count(clients[page.persona], _path(page, objects)) for page in PAGES}
            transaction.set_rollback(True)
        cache.clear()
    return {page: (small[page][0], *large[page]) for page in PAGES}


def _clients(people) -> dict:
    clients = {None: Client()}
    for key in ("member", "staff", "supervisor", "coordinator"):
        clients[key] = Client()
        clients[key].force_login(people[key])
    return clients


def _path(page: Page, objects) -> str:
    if page.arg is None:
        return reverse(page.url_name)
    return reverse(page.url_name, args=[objects[page.arg].pk])


@pytest.mark.parametrize(
    "page", PAGES, ids=[f"{p.persona or 'anonymous'}:{p.url_name}" for p in PAGES]
)
def test_page_keeps_its_query_budget_from_demo_to_large_data(page, measured):
    small, large, sql = measured[page]
    detail = "\n    ".join(q[:160] for q in sql[:20])
    assert large <= BUDGET, f"{large} queries with large data (budget {BUDGET}):\n    {detail}"
    assert large == small, f"{small} queries with demo data, {large} with large:\n    {detail}"


def test_the_budget_table_covers_every_page_in_the_navigation():
    from peerportal.core.navigation import _nav

    budgeted = {page.url_name for page in PAGES}
    missing = sorted({item.url_name for item in _nav} - budgeted)
    assert not missing, f"nav pages without a query budget: {missing}"


def test_the_budget_check_catches_a_page_that_queries_per_row(world, monkeypatch):
    """The check above can fail: a page that reads each booking's group separately grows."""
    from peerportal.groups import selectors

    people, objects = world
    original = selectors.booking_list_for

    def per_row(user, **kwargs):
        rows = list(original(user, **kwargs))
        for booking in rows:
            type(booking).objects.get(pk=booking.pk)  # one extra query per row
        return rows

    monkeypatch.setattr(selectors, "booking_list_for", per_row)
    client = _clients(people)["member"]
    path = reverse("groups:booking-list")
    client.get(path)
    small, _ = _count(client, path)
    grow(people, objects, 3)
    large, _ = _count(client, path)
    assert large > small

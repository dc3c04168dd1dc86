"""Invented support groups for the demo (and, at scale "large", for benchmarks)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from peerportal.core.models import Location, Organization

from . import services
from .exceptions import GroupsError
from .models import Booking, BookingStatus, GroupFormat, GroupSession, SupportGroup, Topic

TOPICS = [
    "Depression",
    "Anxiety",
    "Hearing voices",
    "Grief and loss",
    "Substance use",
    "LGBTQ+",
    "BIPOC",
    "Youth",
    "Family",
    "Wellness",
]

DEMO_GROUPS = [
    # name, topics, format, weekday rule, start, end, language
    (
        "Tuesday Evening Mood Support",
        ["Depression", "Anxiety"],
        GroupFormat.IN_PERSON,
        "FREQ=WEEKLY;BYDAY=TU",
        dt.time(18),
        dt.time(19, 30),
        "en",
    ),
    (
        "Hearing Voices Circle",
        ["Hearing voices"],
        GroupFormat.HYBRID,
        "FREQ=WEEKLY;BYDAY=TH",
        dt.time(17),
        dt.time(18, 30),
        "en",
    ),
    (
        "Online Grief Support",
        ["Grief and loss"],
        GroupFormat.VIRTUAL,
        "FREQ=WEEKLY;BYDAY=SU",
        dt.time(19),
        dt.time(20),
        "en",
    ),
    (
        "Círculo de apoyo en español",
        ["Wellness", "Family"],
        GroupFormat.IN_PERSON,
        "FREQ=WEEKLY;BYDAY=SA",
        dt.time(11),
        dt.time(12, 30),
        "es",
    ),
]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def seed(*, people, scale="small", stdout=None) -> None:
    topics = {
        name: Topic.objects.get_or_create(name=name, defaults={"order": i * 10})[0]
        for i, name in enumerate(TOPICS)
    }
    place = Location.objects.order_by("pk").first()
    today = timezone.localdate(timezone.now(), Organization.get().tzinfo)
    for name, topic_names, fmt, rule, start, end, language in DEMO_GROUPS:
        group = SupportGroup.objects.filter(name=name).first()
        if group is None:
            group = SupportGroup(
                name=name,
                description=f"{name}: a peer-led group where people with lived experience share and listen. Come as you are; you never have to speak.",
                format=fmt,
                language=language,
                location=place if fmt != GroupFormat.VIRTUAL else None,
                virtual_link="https://meet.example.org/demo-room"
                if fmt != GroupFormat.IN_PERSON
                else "",
                accessibility_notes="Step-free access. Captions on request for online sessions.",
                capacity=8,
                # One demo group offers standing places (half the seats), to try them.
                standing_places_allowed=name == DEMO_GROUPS[1][0],
                rrule=rule,
                first_date=today - dt.timedelta(days=14),
                start_time=start,
                end_time=end,
                is_published=True,
            )
            services.group_save(
                actor=people["coordinator"],
                group=group,
                topics=[topics[t] for t in topic_names],
                facilitators=[people["staff"]],
            )
        else:
            services.group_sessions_generate(group=group)
    first = SupportGroup.objects.get(name=DEMO_GROUPS[0][0])
    session = first.sessions.upcoming().scheduled().order_by("starts_at").first()
    if session is not None:
        with contextlib.suppress(GroupsError):  # already booked on a previous run
            services.booking_create(session=session, member=people["member"])
    if scale == "large":
        seed_large(topics=list(topics.values()), stdout=stdout)
    _say(stdout, "groups: demo groups, sessions and a booking ready")


LARGE_GROUPS = 300
LARGE_BOOKINGS = 500_000


def seed_large(*, topics, stdout=None) -> None:
    """300 groups with a year of weekly sessions and about 500,000 bookings (bulk inserts)."""
    from peerportal.accounts.models import User

    if SupportGroup.objects.filter(name__startswith="Bench group ").count() >= LARGE_GROUPS:
        return
    rng = random.Random(20261122)  # noqa: S311 — invented data, reproducible
    tz = Organization.get().tzinfo
    place = Location.objects.order_by("pk").first()
    now = timezone.now()
    start_day = timezone.localdate(now, tz) - dt.timedelta(days=182)
    groups = SupportGroup.objects.bulk_create(
        SupportGroup(
            name=f"Bench group {n}",
            description="An invented group for load tests.",
            format=GroupFormat.IN_PERSON,
            location=place,
            capacity=40,
            rrule=f"FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][n % 7]}",
            first_date=start_day,
            start_time=dt.time(10 + n % 10),
            end_time=dt.time(11 + n % 10),
            is_published=True,
        )
        for n in range(LARGE_GROUPS)
    )
    through = SupportGroup.topics.through
    through.objects.bulk_create(
        through(supportgroup_id=g.pk, topic_id=topics[i % len(topics)].pk)
        for i, g in enumerate(groups)
    )
    sessions = []
    for group in groups:
        first = dt.datetime.combine(start_day, group.start_time, tzinfo=tz)
        while first.weekday() != ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(group.rrule[-2:]):
            first += dt.timedelta(days=1)
        for week in range(52):
            starts = (first + dt.timedelta(weeks=week)).astimezone(dt.UTC)
            sessions.append(
                GroupSession(
                    group=group,
                    occurrence_start=starts,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=1),
                )
            )
    GroupSession.objects.bulk_create(sessions, batch_size=5000)
    member_ids = list(User.objects.filter(role="member").values_list("pk", flat=True))
    per_session = max(1, LARGE_BOOKINGS // len(sessions))
    batch: list[Booking] = []
    created = 0
    for session in GroupSession.objects.filter(group__in=groups).only("pk", "starts_at"):
        for seat, member_id in enumerate(
            rng.sample(member_ids, min(per_session, len(member_ids), 40)), start=1
        ):
            batch.append(
                Booking(
                    session_id=session.pk,
                    member_id=member_id,
                    status=BookingStatus.CONFIRMED,
                    seat=seat,
                )
            )
        if len(batch) >= 10000:
            Booking.objects.bulk_create(batch, batch_size=10000)
            created += len(batch)
            batch = []
    Booking.objects.bulk_create(batch, batch_size=10000)
    created += len(batch)
    _say(
        stdout, f"groups large: {len(groups)} groups, {len(sessions)} sessions, {created} bookings"
    )

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerportal.core.models import Organization
from peerportal.groups import services, statements
from tests.groups.factories import SupportGroupFactory

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


def test_weekly_group_at_18_stays_at_18_local_across_dst():
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    group = SupportGroupFactory(
        rrule="FREQ=WEEKLY;BYDAY=TU", first_date=dt.date(2026, 1, 6), horizon_weeks=26
    )
    services.group_sessions_generate(group=group, now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    services.group_sessions_generate(group=group, now=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    starts = list(group.sessions.values_list("starts_at", flat=True))
    spring = [s for s in starts if dt.date(2026, 3, 1) <= s.date() <= dt.date(2026, 3, 20)]
    autumn = [s for s in starts if dt.date(2026, 10, 25) <= s.date() <= dt.date(2026, 11, 10)]
    assert spring and autumn
    assert {s.astimezone(NY).time() for s in starts} == {dt.time(18)}
    assert {s.astimezone(dt.UTC).hour for s in spring} == {23, 22}
    assert {s.astimezone(dt.UTC).hour for s in autumn} == {22, 23}


def test_generating_twice_creates_no_duplicates():
    group = SupportGroupFactory(first_date=dt.date(2026, 11, 3))
    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    first = services.group_sessions_generate(group=group, now=now)
    assert first > 0
    assert services.group_sessions_generate(group=group, now=now) == 0
    assert group.sessions.count() == first


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _populate(n_groups: int):
    groups = SupportGroupFactory.create_batch(
        n_groups, first_date=dt.date(2027, 1, 4) - dt.timedelta(days=7)
    )
    for g in groups:
        services.group_sessions_generate(group=g)
    return groups


def test_directory_query_count_is_constant_from_1_to_200_groups(client):
    _populate(1)
    client.get(reverse("core:home"))
    small = _queries(client, reverse("groups:group-list"))
    _populate(199)
    large = _queries(client, reverse("groups:group-list"))
    assert small == large


def test_filtered_directory_query_count_is_constant_from_1_to_200_groups(client):
    from tests.groups.factories import TopicFactory

    topic = TopicFactory(name="Grief")
    for g in _populate(1):
        g.topics.add(topic)
    client.get(reverse("core:home"))
    url = reverse("groups:group-list") + f"?day=1&topic={topic.pk}&format=in_person&q=circle"
    small = _queries(client, url)
    for g in _populate(199):
        g.topics.add(topic)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert len(response.context["page"]) == 20  # a full page of matches
    assert len(ctx.captured_queries) == small


@time_machine.travel(dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC), tick=False)
def test_group_page_query_count_is_constant_from_1_to_many_sessions(member_client, member):
    one = SupportGroupFactory(
        first_date=dt.date(2027, 1, 4), horizon_weeks=1, rrule="FREQ=WEEKLY;BYDAY=MO"
    )
    services.group_sessions_generate(group=one)
    many = SupportGroupFactory(
        first_date=dt.date(2027, 1, 4),
        horizon_weeks=8,
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
    )
    services.group_sessions_generate(group=many)
    assert one.sessions.count() <= 2 and many.sessions.count() >= 50
    member_client.get(reverse("core:home"))  # first request of a session does one-time work
    assert _queries(member_client, reverse("groups:group-detail", args=[one.pk])) == _queries(
        member_client, reverse("groups:group-detail", args=[many.pk])
    )


def test_booking_calendar_file_keeps_18_local_after_the_autumn_change(member):
    from peerportal.groups.notifications import session_ical

    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    group = SupportGroupFactory(first_date=dt.date(2026, 10, 27), horizon_weeks=3)
    services.group_sessions_generate(group=group, now=dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    before, after = list(group.sessions.order_by("starts_at"))[:2]  # 27 Oct and 3 Nov
    assert (before.starts_at.hour, after.starts_at.hour) == (22, 23)  # UTC moves ...
    from peerportal.groups.models import Booking

    for session in (before, after):
        booking = Booking(session=session, member=member, status="confirmed", seat=1)
        text = session_ical(booking).decode()
        assert "BEGIN:VTIMEZONE" in text
        local = session.starts_at.astimezone(NY).strftime("%Y%m%dT180000")
        assert f"DTSTART;TZID=America/New_York:{local}" in text  # ... local time stays 18:00


def test_the_directorys_next_session_is_the_same_without_distinct_on(monkeypatch):
    """PostgreSQL keeps each group's first session with DISTINCT ON; other databases (SQLite
    in `make run`) keep the first row of each group in Python: both give the same answer."""
    from peerportal.groups.selectors import directory_next_sessions
    from tests.groups.factories import GroupSessionFactory

    now = dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC)
    groups = [SupportGroupFactory() for _ in range(3)]
    # Two start at the same moment (one was moved there): either is "next", same time.
    for hours, moved_from in ((30, 30), (6, 6), (6, 9), (200, 200)):
        GroupSessionFactory(
            group=groups[0],
            starts_at=now + dt.timedelta(hours=hours),
            occurrence_start=now + dt.timedelta(hours=moved_from),
        )
    GroupSessionFactory(group=groups[1], starts_at=now + dt.timedelta(days=20))  # too far
    GroupSessionFactory(group=groups[2], starts_at=now - dt.timedelta(hours=2))  # begun
    ids = [g.pk for g in groups]
    native = directory_next_sessions(ids, now=now)
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", False)
    assert directory_next_sessions(ids, now=now) == native
    assert list(native) == [groups[0].pk]
    assert native[groups[0].pk][0] == now + dt.timedelta(hours=6)


def test_the_directorys_plain_statements_name_the_tables_and_columns_of_their_models():
    from peerportal.groups.models import Booking, GroupSession, SupportGroup

    link = SupportGroup.topics.through._meta
    assert f"FROM {link.db_table} " in statements.DIRECTORY_TOPICS_SQL
    assert {f.column for f in link.local_fields} >= {"supportgroup_id", "topic_id"}
    assert f"FROM {GroupSession._meta.db_table} s" in statements.DIRECTORY_NEXT_SQL
    assert f"FROM {Booking._meta.db_table} b" in statements.DIRECTORY_NEXT_SQL
    session_columns = {f.column for f in GroupSession._meta.local_fields}
    assert session_columns >= {"id", "group_id", "starts_at", "ends_at", "status", "capacity"}
    assert {f.column for f in Booking._meta.local_fields} >= {"session_id", "status"}
    for sql in (
        statements.UPCOMING_BOOKINGS_SQL,
        statements.PAST_BOOKINGS_SQL,
        statements.PAST_COUNT_SQL,
    ):
        assert f"FROM {Booking._meta.db_table} b" in sql
        assert f"JOIN {GroupSession._meta.db_table} s ON s.id = b.session_id" in sql
        assert f"JOIN {SupportGroup._meta.db_table} g ON g.id = s.group_id" in sql
    assert {f.column for f in Booking._meta.local_fields} >= {"member_id", "attendance"}


def test_the_directorys_next_session_counts_confirmed_bookings_and_gives_aware_utc_times():
    from peerportal.groups.models import Booking, BookingStatus
    from peerportal.groups.selectors import directory_next_sessions
    from tests.factories import UserFactory
    from tests.groups.factories import GroupSessionFactory

    now = dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC)
    first = GroupSessionFactory(starts_at=now + dt.timedelta(hours=5, microseconds=7), capacity=4)
    later = GroupSessionFactory(group=first.group, starts_at=now + dt.timedelta(days=2))
    other = GroupSessionFactory(starts_at=now + dt.timedelta(days=3))
    cancelled = GroupSessionFactory(starts_at=now + dt.timedelta(hours=1), status="cancelled")
    for i, status in enumerate(["confirmed", "confirmed", "waitlisted", "cancelled"]):
        seat = i + 1 if status == BookingStatus.CONFIRMED else None
        Booking.objects.create(session=first, member=UserFactory(), status=status, seat=seat)
    Booking.objects.create(session=later, member=UserFactory(), status="confirmed", seat=1)
    ids = [first.group_id, other.group_id, cancelled.group_id]
    found = directory_next_sessions(ids, now=now)
    assert found == {
        first.group_id: (first.starts_at, 4, 2),
        other.group_id: (other.starts_at, None, 0),
    }
    starts_at = found[first.group_id][0]
    assert starts_at.utcoffset() == dt.timedelta(0) and starts_at.microsecond == 7


def test_the_group_pages_sessions_are_what_the_orm_reads(member):
    """The plain statement gives the sessions, seat counts and the viewer's flag that the ORM
    query it replaced gave (the same model values, aware UTC times on SQLite too)."""
    from django.db.models import Exists, OuterRef

    from peerportal.groups import selectors
    from peerportal.groups.models import (
        Booking,
        BookingStatus,
        GroupSession,
        OfferStatus,
        WaitlistOffer,
        rows_per_session,
    )
    from tests.factories import UserFactory
    from tests.groups.factories import GroupSessionFactory

    now = dt.datetime(2026, 11, 23, 17, 0, 0, 123456, tzinfo=dt.UTC)
    group = SupportGroupFactory(capacity=2)
    starts = [
        now - dt.timedelta(minutes=30),
        now + dt.timedelta(days=1),
        now + dt.timedelta(days=3),
    ]
    sessions = [GroupSessionFactory(group=group, starts_at=s) for s in starts]
    GroupSessionFactory(group=group, starts_at=now + dt.timedelta(days=60))  # past the window
    GroupSessionFactory(starts_at=now + dt.timedelta(days=1))  # another group
    sessions[1].status = "cancelled"
    sessions[1].notice = "Room <closed>"
    sessions[1].capacity = 5
    sessions[1].save()
    first, second = UserFactory(), UserFactory()
    Booking.objects.create(session=sessions[2], member=first, status="confirmed", seat=1)
    Booking.objects.create(session=sessions[2], member=second, status="confirmed", seat=2)
    waiting = Booking.objects.create(
        session=sessions[2], member=member, status="waitlisted", waitlisted_at=now
    )
    Booking.objects.create(session=sessions[1], member=member, status="cancelled")
    WaitlistOffer.objects.create(
        session=sessions[2],
        booking=waiting,
        seat=3,
        created_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    orm = (
        GroupSession.objects.upcoming(now)
        .filter(group=group, starts_at__lt=now + dt.timedelta(days=56))
        .annotate(
            confirmed_count=rows_per_session(Booking, BookingStatus.CONFIRMED),
            offered_count=rows_per_session(WaitlistOffer, OfferStatus.OPEN),
            viewer_booked=Exists(
                Booking.objects.active().filter(session_id=OuterRef("pk"), member=member)
            ),
        )
        .order_by("starts_at")
    )

    def shown(s, flag=True):
        fields = [getattr(s, f.attname) for f in GroupSession._meta.concrete_fields]
        flags = (s.viewer_booked,) if flag else ()
        return (
            *fields,
            s.confirmed_count,
            s.offered_count,
            *flags,
            s.group is group,
            s._state.adding,
        )

    expected = [shown(s) for s in orm]
    for s in orm:
        s.group = group
    assert len(expected) == 3
    mine = selectors.group_page_sessions(group, viewer=member, now=now)
    assert [shown(s) for s in mine] == [shown(s) for s in orm]
    assert [(s.confirmed_count, s.offered_count, s.viewer_booked) for s in mine] == [
        (0, 0, False),
        (0, 0, False),
        (2, 1, True),
    ]
    assert all(s.starts_at.utcoffset() == dt.timedelta(0) for s in mine)
    anonymous = selectors.group_page_sessions(group, now=now)
    assert [shown(s, flag=False) for s in anonymous] == [shown(s, flag=False) for s in orm]
    assert not any(hasattr(s, "viewer_booked") for s in anonymous)
    other = selectors.group_page_sessions(group, viewer=UserFactory(), now=now)
    assert [s.viewer_booked for s in other] == [False, False, False]


def test_the_group_pages_statement_names_the_tables_of_its_models():
    from peerportal.groups.models import Booking, GroupSession, WaitlistOffer

    sql = statements.GROUP_PAGE_SESSIONS_SQL + statements.VIEWER_BOOKED_SQL
    for model, alias in ((GroupSession, "s"), (Booking, "b"), (WaitlistOffer, "o"), (Booking, "v")):
        assert f"FROM {model._meta.db_table} {alias}" in sql
    assert {f.column for f in Booking._meta.local_fields} >= {"session_id", "status", "member_id"}
    assert {f.column for f in WaitlistOffer._meta.local_fields} >= {"session_id", "status"}


def test_the_group_page_reads_the_published_group_and_its_location_as_the_orm_does():
    from peerportal.groups.models import SupportGroup
    from peerportal.groups.selectors import pages

    def values(obj):
        return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]

    with_location = SupportGroupFactory(
        skipped_dates=["2027-01-11"],
        until=dt.date(2027, 6, 30),
        standing_places_allowed=True,
        accessibility_notes="Step-free <entrance>",
    )
    online = SupportGroupFactory(
        format="virtual", location=None, virtual_link="https://meet.example.org/x"
    )
    draft = SupportGroupFactory(is_published=False)
    archived = SupportGroupFactory(
        archived_at=dt.datetime(2026, 5, 1, 12, 30, 5, 17, tzinfo=dt.UTC)
    )
    for group in (with_location, online):
        orm = SupportGroup.objects.published().select_related("location").get(pk=group.pk)
        mine = pages._published_group_with_location(group.pk)
        assert values(mine) == values(orm)
        assert not mine._state.adding
        if orm.location is None:
            assert mine.location is None
        else:
            assert values(mine.location) == values(orm.location)
    assert with_location.location.name  # a location was read with the group
    for group in (draft, archived):
        assert pages._published_group_with_location(group.pk) is None
    assert pages._published_group_with_location(10**9) is None


def test_the_group_pages_plain_statements_name_the_tables_of_their_models():
    from peerportal.core.models import Location
    from peerportal.groups.models import SupportGroup, Topic

    assert f"FROM {SupportGroup._meta.db_table} g" in statements.PUBLISHED_GROUP_SQL
    assert f"JOIN {Location._meta.db_table} l" in statements.PUBLISHED_GROUP_SQL
    assert f"FROM {Topic._meta.db_table} t" in statements.GROUP_TOPIC_NAMES_SQL
    link = SupportGroup.topics.through._meta.db_table
    assert f"JOIN {link} l" in statements.GROUP_TOPIC_NAMES_SQL
    assert Topic._meta.ordering == ["order", "name"]  # the statements' ORDER BY
    assert f"FROM {Topic._meta.db_table} ORDER BY" in statements.TOPIC_CHOICES_SQL


def test_the_directorys_topic_options_come_in_the_topics_order():
    from peerportal.groups import selectors
    from peerportal.groups.models import Topic
    from tests.groups.factories import TopicFactory

    for name, order in (("Zebra", 1), ("Beta", 5), ("Alpha", 5)):
        TopicFactory(name=name, order=order)
    topics, _locations = selectors.directory_choices()
    assert topics == list(Topic.objects.values_list("id", "name"))
    assert [name for _pk, name in topics] == ["Zebra", "Alpha", "Beta"]


def test_the_group_pages_topics_come_in_the_topics_order():
    from peerportal.groups import selectors
    from tests.groups.factories import TopicFactory

    group = SupportGroupFactory()
    group.topics.add(
        TopicFactory(name="Zebra", order=1),
        TopicFactory(name="Beta", order=5),
        TopicFactory(name="Alpha", order=5),
    )
    SupportGroupFactory().topics.add(TopicFactory(name="Elsewhere", order=0))
    assert selectors.group_topic_names(group) == ["Zebra", "Alpha", "Beta"]


def _my_bookings_world(member, now):
    from peerportal.groups.models import Booking
    from tests.factories import UserFactory
    from tests.groups.factories import GroupSessionFactory

    for i, status in enumerate(["confirmed", "waitlisted", "cancelled", "confirmed"]):
        session = GroupSessionFactory(
            starts_at=now + dt.timedelta(days=i + 1, microseconds=i),
            group__format="virtual" if i else "in_person",
            group__location=None if i else SupportGroupFactory().location,
            group__virtual_link="https://meet.example.org/a?b=<c>",
        )
        seat = 1 if status == "confirmed" else None
        waited = now - dt.timedelta(hours=i) if status == "waitlisted" else None
        Booking.objects.create(
            session=session, member=member, status=status, seat=seat, waitlisted_at=waited
        )
    for i in range(25):  # past sessions, some cancelled, some booked by someone else
        session = GroupSessionFactory(
            starts_at=now - dt.timedelta(days=i + 1, hours=i % 3),
            status="cancelled" if i % 7 == 0 else "scheduled",
        )
        who = member if i % 5 else UserFactory()
        Booking.objects.create(
            session=session,
            member=who,
            status="confirmed" if i % 4 else "waitlisted",
            seat=1 if i % 4 else None,
            attendance="attended" if i % 2 else "unknown",
        )
    # One going on now: upcoming until it ends.
    ongoing = GroupSessionFactory(starts_at=now - dt.timedelta(minutes=30))
    Booking.objects.create(session=ongoing, member=member, status="confirmed", seat=1)


def test_my_upcoming_bookings_are_what_the_orm_reads(member):
    from peerportal.groups import selectors
    from peerportal.groups.models import Booking, BookingStatus

    now = dt.datetime(2026, 11, 23, 17, 0, 0, 5, tzinfo=dt.UTC)
    _my_bookings_world(member, now)
    fields = {
        Booking: ["id", "session_id", "member_id", "status", "waitlisted_at", "standing_place_id"],
        "session": ["id", "group_id", "starts_at", "ends_at", "status"],
        "group": [
            "id",
            "name",
            "format",
            "virtual_link",
            "link_visible_minutes",
            "cancellation_cutoff_hours",
        ],
    }

    def shown(b):
        return (
            [getattr(b, f) for f in fields[Booking]],
            [getattr(b.session, f) for f in fields["session"]],
            [getattr(b.session.group, f) for f in fields["group"]],
        )

    orm = list(
        Booking.objects.filter(member=member, session__ends_at__gt=now)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("session__group")
        .order_by("session__starts_at")
    )
    mine = selectors.booking_list_for(member, now=now)
    assert len(mine) == 4
    assert [shown(b) for b in mine] == [shown(b) for b in orm]
    assert all(b.session.starts_at.utcoffset() == dt.timedelta(0) for b in mine)
    # The columns the page does not read are left out, as only() left them.
    assert mine[0].get_deferred_fields() >= {"seat", "attendance"}
    assert "description" in mine[0].session.group.get_deferred_fields()


def test_my_past_bookings_page_as_the_orm_read_them(member):
    from peerportal.groups import selectors
    from peerportal.groups.models import Booking

    now = dt.datetime(2026, 11, 23, 17, 0, 0, 5, tzinfo=dt.UTC)
    _my_bookings_world(member, now)
    orm = list(
        Booking.objects.filter(member=member, session__ends_at__lte=now)
        .values(
            "status", "attendance", "session__starts_at", "session__status", "session__group__name"
        )
        .order_by("-session__starts_at")
    )
    past = selectors.booking_list_for(member, upcoming=False, now=now)
    assert len(orm) == 20
    assert past.count() == 20
    assert list(past) == orm and past[:] == orm
    assert past[0:21] == orm and past[5:12] == orm[5:12] and past[18:40] == orm[18:]
    assert past[3:] == orm[3:] and past[4:4] == []
    with pytest.raises(TypeError):
        past[0]  # noqa: B018

"""PreparedRows: the ORM's statement compiled once, run with other values, gives exactly the
rows the queryset gives (types converted as the ORM converts them) on every database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerportal.accounts.models import User
from peerportal.core.prepared import PreparedRows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 3, 10, 6, 30, tzinfo=dt.UTC)


def _build(min_pk, joined_before, role):
    return (
        User.objects.filter(pk__gte=min_pk, date_joined__lt=joined_before, role=role)
        .exclude(is_active=False)
        .order_by("-date_joined", "pk")
        .values_list("pk", "display_name", "date_joined")[:3]
    )


JOINED = PreparedRows(_build, min_pk=int, joined_before=dt.datetime, role=str)


@pytest.fixture
def people():
    out = []
    for i in range(5):
        person = UserFactory(display_name=f"Person {i}")
        User.objects.filter(pk=person.pk).update(date_joined=T0 + dt.timedelta(days=i, hours=i))
        out.append(person)
    UserFactory(role="peer_specialist")
    return out


@pytest.mark.parametrize("days", [0, 1, 3, 10])
@pytest.mark.parametrize("offset", [0, 1, 2])
def test_prepared_rows_are_the_querysets_rows(people, days, offset):
    values = {
        "min_pk": people[0].pk + offset,
        "joined_before": T0 + dt.timedelta(days=days, minutes=1),
        "role": "member",
    }
    expected = list(_build(**values))
    got = JOINED.rows(**values)
    assert got == expected
    for _pk, _name, joined in got:
        assert joined.tzinfo is not None  # aware on SQLite too, as the ORM gives them


def test_prepared_rows_take_the_values_of_each_call_and_run_one_query(people):
    JOINED.rows(min_pk=0, joined_before=T0, role="member")  # compiled
    with CaptureQueriesContext(connection) as queries:
        rows = JOINED.rows(min_pk=0, joined_before=T0 + dt.timedelta(days=30), role="member")
        none = JOINED.rows(min_pk=0, joined_before=T0 + dt.timedelta(days=30), role="nobody")
    assert [r[1] for r in rows] == ["Person 4", "Person 3", "Person 2"]
    assert none == []
    assert len(queries) == 2


def test_a_parameter_that_is_not_a_plain_value_is_refused(people):
    # contains: the parameter becomes "%value%", which no call could fill in
    contains = PreparedRows(
        lambda name: User.objects.filter(display_name__contains=name).values_list("pk"),
        name=str,
    )
    with pytest.raises(ValueError, match="not found"):
        contains.rows(name="Person")
    with pytest.raises(TypeError):
        JOINED.rows(min_pk=0, joined_before=T0)
    with pytest.raises(TypeError):
        PreparedRows(_build, min_pk=float)

"""A supervisor's team: the people in scope and their supervision sessions."""

from __future__ import annotations

from collections import namedtuple

from django.db import connection
from django.shortcuts import get_object_or_404

from peerportal.accounts.models import STAFF_ROLES, User
from peerportal.core.permissions import is_coordinator, require_role

from .. import statements
from ..models import SupervisionSession
from ..permissions import can_view_person
from ._shared import raise_404

#: A person as the team list reads them.
PersonRow = namedtuple("PersonRow", ("pk", "display_name"))


def team_page_list(user):
    """``team_for(user)``'s people as ``PersonRow``s (id and display name), for a
    ``Paginator``: on PostgreSQL a ``WrittenOutList`` (the same filter and order as
    ``team_for``, written out), elsewhere the ORM's rows."""
    require_role(user, "supervisor")
    if connection.vendor != "postgresql":
        return team_for(user).values_list("pk", "display_name", named=True)
    everyone = is_coordinator(user)
    params = [[str(role.value) for role in STAFF_ROLES], user.pk]
    if not everyone:
        params.append(user.pk)
    return statements.WrittenOutList(statements.team(everyone), params, PersonRow)


def person_get_for(user, pk: int) -> User:
    person = get_object_or_404(User.objects.staff(), pk=pk)
    if not can_view_person(user, person):
        raise_404()
    return person


def team_for(user):
    require_role(user, "supervisor")
    qs = User.objects.staff().exclude(pk=user.pk)
    if not is_coordinator(user):
        qs = qs.filter(supervisor=user)
    return qs.order_by("display_name")


def supervision_list_for(user, person=None):
    person = person or user
    return SupervisionSession.objects.filter(staff=person).select_related("supervisor")

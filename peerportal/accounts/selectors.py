from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from peerportal.core.permissions import require_role

from .models import User


def people_list_for(user, *, q: str = "", role: str = ""):
    """Everyone, for coordinators only (search by display name or email)."""
    require_role(user, "coordinator")
    qs = User.objects.filter(erased_at__isnull=True).select_related("supervisor")
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(email__icontains=q))
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("display_name", "id")


def person_get_for(user, pk: int) -> User:
    require_role(user, "coordinator")
    return get_object_or_404(User.objects.filter(erased_at__isnull=True), pk=pk)

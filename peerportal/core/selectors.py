from __future__ import annotations

from peerportal.core.permissions import require_role

from .models import AuditEvent


def audit_event_list_for(
    user,
    *,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor_id=None,
    since=None,
    until=None,
):
    """The audit log, for coordinators only; filters are exact ids and codes."""
    require_role(user, "coordinator")
    qs = AuditEvent.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")

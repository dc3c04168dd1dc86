from __future__ import annotations

from django.utils.translation import gettext

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
    return qs.select_related("actor").order_by("-at", "-id")


#: Detail keys that hold a person's id: shown with their display name.
PERSON_KEYS = frozenset({"supervisor_id", "person_id", "member_id", "user_id", "actor_id"})


def _humanize_key(key: str) -> str:
    base = key[:-3] if key.endswith("_id") else key
    return base.replace("_", " ").strip().capitalize() or key


def _object_label(object_type: str) -> str:
    """'certification.trainingrecord' → 'Training record' (the model's verbose name)."""
    from django.apps import apps

    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


def _value_label(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_label(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_humanize_key(str(k))}: {_value_label(v)}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    return str(value)


def audit_rows(events) -> list[dict]:
    """Readable rows for the audit log page: people by display name, objects by their
    type, details as a list — resolved at display time, so the log itself keeps ids only.

    One query for the people on the page, whatever its size (actors come with the events).
    """
    from peerportal.accounts.models import User

    events = list(events)
    person_ids: set[int] = set()
    for event in events:
        if event.object_type == "accounts.user" and event.object_id.isdigit():
            person_ids.add(int(event.object_id))
        for key, value in (event.extra or {}).items():
            if key in PERSON_KEYS and isinstance(value, int):
                person_ids.add(value)
    names = (
        dict(User.objects.filter(pk__in=person_ids).values_list("pk", "display_name"))
        if person_ids
        else {}
    )

    def person(pk) -> str:
        name = names.get(pk)
        return f"{name} (#{pk})" if name else gettext("person #%(id)s") % {"id": pk}

    rows = []
    for event in events:
        if event.actor_id is None:
            actor = gettext("system")
        elif event.actor is not None:
            actor = f"{event.actor.display_name} (#{event.actor_id})"
        else:
            actor = gettext("person #%(id)s") % {"id": event.actor_id}
        if not event.object_type:
            target = "—"
        elif event.object_type == "accounts.user" and event.object_id.isdigit():
            target = person(int(event.object_id))
        else:
            target = f"{_object_label(event.object_type)} #{event.object_id}"
        details = []
        for key, value in (event.extra or {}).items():
            if key in PERSON_KEYS and isinstance(value, int):
                details.append((_humanize_key(key), person(value)))
            elif key.endswith("_id") and isinstance(value, int):
                details.append((_humanize_key(key), f"#{value}"))
            else:
                details.append((_humanize_key(key), _value_label(value)))
        rows.append({"event": event, "actor": actor, "target": target, "details": details})
    return rows

"""Deleting an account: personal data erased or pseudonymised, counts kept."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from peerportal.core.audit import audit_record

from .userdata import USER_DATA, erasure_handlers, rows_for, user_relations

ERASED_DISPLAY_NAME = "Former member"


def user_erase(*, user, actor=None, request=None) -> None:
    """Erase ``user``: run app handlers, delete or scrub their rows, pseudonymise the account.

    The last active coordinator cannot be erased (raises ``LastCoordinator``): nobody would
    be left to manage the portal.
    """
    from peerportal.reminders.models import Reminder, ReminderStatus

    from .services import ensure_keeps_a_coordinator, user_end_other_sessions

    with transaction.atomic():
        ensure_keeps_a_coordinator(user=user, is_active=False)
        for handler in erasure_handlers():
            handler(user)
        Reminder.objects.filter(recipient=user, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED
        )
        relations = user_relations()
        for label, fields in relations.items():
            if label == "accounts.user":
                continue
            policy = USER_DATA[label]
            rows = rows_for(apps.get_model(label), fields, user)
            if policy.on_erase == "delete":
                for obj in rows:  # per row, so file fields and custom deletes run
                    obj.delete()
            elif policy.scrub:
                rows.model._default_manager.filter(
                    pk__in=list(rows.values_list("pk", flat=True))
                ).update(**dict.fromkeys(policy.scrub, ""))
        user_end_other_sessions(user=user)
        user.display_name = ERASED_DISPLAY_NAME
        user.email = f"erased-{user.pk}@erased.invalid"
        user.pronouns = ""
        user.time_zone = ""
        user.supervisor = None
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.erased_at = timezone.now()
        user.set_unusable_password()
        user.save()
        audit_record(actor=actor or user, action="user.erase", obj=user, request=request)

"""A person's data as JSON: every model that points at them."""

from __future__ import annotations

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils import timezone

from .userdata import USER_DATA, rows_for, user_relations


def _row(obj, exclude: tuple[str, ...]) -> dict:
    data = model_to_dict(obj, exclude=list(exclude))
    data["id"] = obj.pk
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        if hasattr(value, "name") and hasattr(value, "url"):  # files: the name only
            value = value.name
        data[field.name] = value
    return data


def user_data_export(*, user) -> dict:
    relations = user_relations()
    out: dict = {"exported_at": timezone.now(), "user_id": user.pk, "data": {}}
    for label, fields in sorted(relations.items()):
        policy = USER_DATA.get(label)
        if policy is None:
            raise LookupError(
                f"{label} relates to users but has no policy in accounts.userdata.USER_DATA"
            )
        model = apps.get_model(label)
        rows = rows_for(model, fields, user)
        out["data"][label] = [_row(obj, policy.exclude) for obj in rows]
    return out


def user_data_export_json(*, user) -> str:
    return json.dumps(user_data_export(user=user), cls=DjangoJSONEncoder, indent=2, default=str)

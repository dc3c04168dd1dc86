"""A person's data as JSON: every model that points at them, readable by the person.

Complete — every row of every model listed in ``userdata.USER_DATA`` that relates to the
person, every field except the secrets the policy excludes — and readable: fields are
labelled in words ("Session", not ``session``), choices are shown as words ("Booked"), times
are in the person's own time zone, and related things are named ("Tuesday Evening Mood
Support, 2026-11-24T18:00-05:00", not ``17``). Other people are never named: a row that
points at someone else says "another person". Rows are keyed by model label so the file is
also easy for a program to read.
"""

from __future__ import annotations

import datetime as dt
import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from peerportal.core.timezones import tz_for

from .userdata import USER_DATA, rows_for, user_relations


def _local(value, tz):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, tz)
        return value.isoformat(timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _describe(obj, user, tz) -> str:
    """A related object in words: a person, or a thing named with its local time."""
    from django.contrib.auth import get_user_model

    if isinstance(obj, get_user_model()):
        if obj.pk == user.pk:
            return _("%(name)s (you)") % {"name": obj.display_name}
        return _("another person")
    name = next(
        (
            getattr(obj, attr)
            for attr in ("group", "line", "event", "title", "name")
            if getattr(obj, attr, None)
        ),
        None,
    )
    when = getattr(obj, "starts_at", None)
    if name is not None and when is not None:
        return f"{name}, {_local(when, tz)}"
    return str(obj)


def _value(obj, field, user, tz):
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else _describe(related, user, tz)
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return _local(value, tz)


def _row(obj, exclude: tuple[str, ...], user, tz) -> dict:
    out: dict = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        out[str(capfirst(field.verbose_name))] = _value(obj, field, user, tz)
    for field in obj._meta.many_to_many:
        if field.name in exclude:
            continue
        out[str(capfirst(field.verbose_name))] = [
            _describe(related, user, tz) for related in getattr(obj, field.name).all()
        ]
    return out


def user_data_export(*, user) -> dict:
    relations = user_relations()
    tz = tz_for(user)
    language = getattr(user, "preferred_language", None) or translation.get_language()
    with translation.override(language):
        out: dict = {
            "about": _(
                "Everything this portal holds about you. Times are in your time zone (%(tz)s)."
            )
            % {"tz": str(tz)},
            "exported_at": _local(timezone.now(), tz),
            "user_id": user.pk,
            "contents": {},
            "data": {},
        }
        for label, fields in sorted(relations.items()):
            policy = USER_DATA.get(label)
            if policy is None:
                raise LookupError(
                    f"{label} relates to users but has no policy in accounts.userdata.USER_DATA"
                )
            model = apps.get_model(label)
            rows = [_row(obj, policy.exclude, user, tz) for obj in rows_for(model, fields, user)]
            out["contents"][label] = f"{capfirst(model._meta.verbose_name_plural)} ({len(rows)})"
            out["data"][label] = rows
    return out


def user_data_export_json(*, user) -> str:
    return json.dumps(
        user_data_export(user=user),
        cls=DjangoJSONEncoder,
        indent=2,
        default=str,
        ensure_ascii=False,
    )

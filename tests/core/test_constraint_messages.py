"""No database constraint name ever reaches a person (field report M4).

Django shows 'Constraint "…" is violated.' for a CheckConstraint or UniqueConstraint that
has no ``violation_error_message``. Every constraint of every model must carry a human,
translatable one, so a new constraint without it fails here.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import BaseConstraint


def _constraints():
    """Constraints of the portal's own models (allauth's are shown only through its own
    forms, which check them first)."""
    for model in apps.get_models():
        if not model.__module__.startswith("peerportal."):
            continue
        for constraint in model._meta.constraints:
            yield model, constraint


def test_every_constraint_has_a_human_violation_message():
    missing = []
    for model, constraint in _constraints():
        message = constraint.violation_error_message
        if (
            message is None
            or str(message) == str(BaseConstraint.default_violation_error_message)
            or constraint.name in str(message)
        ):
            missing.append(f"{model._meta.label}.{constraint.name}")
    assert not missing, f"constraints without a human violation_error_message: {missing}"


def test_our_apps_have_constraints_to_check():
    labels = {model._meta.app_label for model, _ in _constraints()}
    assert {"core", "accounts", "dropin", "groups", "warmline", "certification"} <= labels


@pytest.mark.django_db
def test_a_form_that_hits_a_constraint_shows_its_message_not_its_name():
    from django import forms

    from peerportal.warmline.models import CallRecord

    class RawCallForm(forms.ModelForm):  # no form-level bound: only the constraint is left
        class Meta:
            model = CallRecord
            fields = ["duration_minutes"]

    form = RawCallForm(data={"duration_minutes": 601}, instance=CallRecord())
    form.full_clean()
    errors = " ".join(str(e) for e in form.non_field_errors())
    assert "warmline_call_duration_sane" not in errors
    assert "between 1 and 240 minutes" in errors

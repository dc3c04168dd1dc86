from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User
from peerportal.core import bounds

from .models import CETopic, CredentialType, ReviewDecision, TrainingRecord
from .services import (
    certification_check_bounds,
    supervision_check_bounds,
    training_record_check_bounds,
)


class TrainingRecordForm(forms.ModelForm):
    evidence = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG, up to 10 MB)"),
        required=False,
        help_text=_("A certificate of completion, for example."),
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "course",
            "provider",
            "completed_on",
            "hours",
            "topic",
            "is_initial_training",
            "credit_requested",
        ]
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = CETopic.objects.all()

    def clean(self):
        data = super().clean()
        bounds.form_check(
            self,
            None,
            training_record_check_bounds,
            completed_on=data.get("completed_on"),
            hours=data.get("hours"),
        )
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment for the staff member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in (
            ReviewDecision.REJECT,
            ReviewDecision.REQUEST_CHANGES,
        ) and not data.get("comment"):
            self.add_error("comment", _("Please say why, so the staff member knows what to do."))
        return data


class SupervisionForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_digits=5, decimal_places=2)
    notes = forms.CharField(
        label=_("Notes (only the two of you see them)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = team

    def clean(self):
        data = super().clean()
        bounds.form_check(
            self, None, supervision_check_bounds, date=data.get("date"), hours=data.get("hours")
        )
        return data


class IssueForm(forms.Form):
    holder = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.staff())
    credential_type = forms.ModelChoiceField(
        label=_("Credential"), queryset=CredentialType.objects.all()
    )
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    number = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    expires_on = forms.DateField(
        label=_("Expires on (as printed on the certificate)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to compute it from the credential's renewal cycle."),
    )

    def clean(self):
        data = super().clean()
        bounds.form_check(
            self,
            None,
            certification_check_bounds,
            issued_on=data.get("issued_on"),
            expires_on=data.get("expires_on"),
        )
        return data


class AuditDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("passed", _("Audit passed")), ("failed", _("Audit failed"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment for the holder"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "failed" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Please say why the audit failed."))
        return data

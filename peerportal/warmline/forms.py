from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User

from .models import CallRecord, CallTopic, Referral, WarmLine


class CallRecordForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=CallTopic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referrals = forms.ModelMultipleChoiceField(
        label=_("Referrals given"),
        queryset=Referral.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CallRecord
        fields = [
            "line",
            "contact_type",
            "started_at",
            "duration_minutes",
            "topics",
            "referrals",
            "follow_up_offered",
        ]
        widgets = {
            "started_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }
        help_texts = {
            "started_at": _(
                "No caller details are recorded — never write names or numbers anywhere."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = WarmLine.objects.filter(is_active=True)


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.staff())

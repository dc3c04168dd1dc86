from __future__ import annotations

from decimal import Decimal

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


HOURS_FIELD_PREFIX = "hours_"
ELECTIVE = "elective"


class TrainingEventForm(forms.Form):
    """A training's details and hours per CE topic (one field per topic, plus elective)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"max_length": _("Please keep the title to 200 characters.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Please keep the description to 2,000 characters.")},
    )
    provider = forms.ChoiceField(
        label=_("Provider"),
        help_text=_("Providers approved by a credential (coordinators keep that list)."),
    )
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"),
        queryset=User.objects.none(),
        help_text=_("Takes the attendance; closing it approves the attendees' records."),
    )

    def __init__(self, *args, **kwargs):
        from .services import approved_provider_names

        super().__init__(*args, **kwargs)
        names = approved_provider_names()
        self.fields["provider"].choices = [("", "—")] + [(n, n) for n in names]
        if not names:
            self.fields["provider"].help_text = _(
                "No provider is approved yet: a coordinator adds one to a credential first."
            )
        self.fields["facilitator"].queryset = User.objects.staff().order_by("display_name", "pk")
        self.topics = list(CETopic.objects.all())
        hours = {
            "label": None,
            "required": False,
            "min_value": Decimal("0.25"),
            "max_value": Decimal(40),
            "max_digits": 5,
            "decimal_places": 2,
            "error_messages": {
                "min_value": _("Each topic's hours must be between 0.25 and 40."),
                "max_value": _("Each topic's hours must be between 0.25 and 40."),
                "invalid": _("Please enter hours as a number, like 1.5."),
            },
        }
        for topic in self.topics:
            self.fields[f"{HOURS_FIELD_PREFIX}{topic.pk}"] = forms.DecimalField(
                **{**hours, "label": _("Hours on %(topic)s") % {"topic": topic.name}}
            )
        self.fields[f"{HOURS_FIELD_PREFIX}{ELECTIVE}"] = forms.DecimalField(
            **{**hours, "label": _("Elective hours (no topic)")}
        )

    @classmethod
    def initial_for(cls, event) -> dict:
        initial = {
            "title": event.title,
            "description": event.description,
            "provider": event.provider,
            "held_on": event.held_on,
            "facilitator": event.facilitator,
        }
        for line in event.topic_hours.all():
            key = line.topic_id if line.topic_id else ELECTIVE
            initial[f"{HOURS_FIELD_PREFIX}{key}"] = line.hours
        return initial

    def topic_hours(self) -> dict:
        out = {}
        for topic in self.topics:
            value = self.cleaned_data.get(f"{HOURS_FIELD_PREFIX}{topic.pk}")
            if value is not None:
                out[topic] = value
        elective = self.cleaned_data.get(f"{HOURS_FIELD_PREFIX}{ELECTIVE}")
        if elective is not None:
            out[None] = elective
        return out

    def clean(self):
        from .services import training_event_problems

        data = super().clean()
        if self.errors:
            return data
        problems = training_event_problems(
            title=data.get("title"),
            description=data.get("description"),
            provider=data.get("provider"),
            held_on=data.get("held_on"),
            facilitator=data.get("facilitator"),
            topic_hours=self.topic_hours(),
        )
        for field, message in problems.items():
            self.add_error(None if field == "hours" else field, message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "provider": data["provider"],
            "held_on": data["held_on"],
            "facilitator": data["facilitator"],
            "topic_hours": self.topic_hours(),
        }


class DisplayNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class AttendanceForm(forms.Form):
    """Who on the roster came (display names only)."""

    present = forms.TypedMultipleChoiceField(
        label=_("Present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That person is not on this training's roster.")},
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(a.person_id, a.person.display_name) for a in roster]
        self.fields["present"].initial = [a.person_id for a in roster if a.attended]


class AttendeeAddForm(forms.Form):
    person = DisplayNameChoiceField(
        label=_("Add a staff member who came"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Please choose a staff member from the list.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates

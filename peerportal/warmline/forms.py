from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User
from peerportal.certification.qualification import qualification_choices
from peerportal.core import bounds

from .models import CallRecord, CallTopic, Referral, ShiftPattern, WarmLine
from .services import (
    call_record_check_bounds,
    shift_check_bounds,
    shift_pattern_check_bounds,
    warm_line_check_bounds,
)

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallRecordForm(forms.ModelForm):
    """Contact type, time, duration, topics, referrals, follow-up: never anything about the caller."""

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
        widgets = {"started_at": DATETIME_LOCAL}
        help_texts = {
            "started_at": _(
                "No caller details are recorded — never write names or numbers anywhere."
            )
        }

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lines is not None:
            self.fields["line"].queryset = lines
        minutes = self.fields["duration_minutes"]
        minutes.widget.attrs.update(min=bounds.CALL_MINUTES_MIN, max=bounds.CALL_MINUTES_MAX)

    def clean(self):
        data = super().clean()
        bounds.form_check(
            self,
            None,
            call_record_check_bounds,
            started_at=data.get("started_at"),
            duration_minutes=data.get("duration_minutes"),
            previous_start=self.instance.started_at if self.instance.pk else None,
        )
        return data


class WarmLineForm(forms.ModelForm):
    class Meta:
        model = WarmLine
        fields = [
            "name",
            "phone",
            "hours_of_operation",
            "has_phone",
            "has_text",
            "has_chat",
            "max_hours_per_week",
            "release_cutoff_hours",
            "swaps_need_approval",
            "gap_alert_days",
            "members",
            "is_active",
        ]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.staff().order_by("display_name")
        self.fields["members"].help_text = _(
            "Only program members see this line and sign up for its shifts."
        )

    def clean(self):
        data = super().clean()
        bounds.form_check(
            self,
            None,
            warm_line_check_bounds,
            max_hours_per_week=data.get("max_hours_per_week"),
            release_cutoff_hours=data.get("release_cutoff_hours"),
            gap_alert_days=data.get("gap_alert_days"),
        )
        return data


class ShiftPatternForm(forms.ModelForm):
    """The required qualification is a credential code chosen from certification's list."""

    required_qualification = forms.ChoiceField(
        label=_("Required credential"), required=False, choices=()
    )

    class Meta:
        model = ShiftPattern
        fields = [
            "rrule",
            "first_date",
            "start_time",
            "end_time",
            "min_staff",
            "max_staff",
            "required_qualification",
            "horizon_weeks",
            "is_active",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "rrule": _("An iCalendar rule, e.g. FREQ=WEEKLY;BYDAY=SA,SU for weekends."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_qualification"].choices = [
            ("", _("None")),
            *qualification_choices(),
        ]

    def clean(self):
        data = super().clean()
        if data.get("min_staff") == 0:
            self.add_error("min_staff", _("At least one person is needed."))
            return data
        bounds.form_check(
            self,
            None,
            shift_pattern_check_bounds,
            rrule=data.get("rrule"),
            first_date=data.get("first_date"),
            start_time=data.get("start_time"),
            end_time=data.get("end_time"),
            min_staff=data.get("min_staff"),
            max_staff=data.get("max_staff"),
            horizon_weeks=data.get("horizon_weeks"),
            previous_first_date=self.instance.first_date if self.instance.pk else None,
        )
        return data


class ShiftTimesForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_LOCAL)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_LOCAL)

    def __init__(self, *args, shift=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shift = shift

    def clean(self):
        data = super().clean()
        if self.shift is not None:
            previous_start = self.shift.starts_at
        else:  # the start as shown: unchanged when only the end moves (a running shift)
            try:
                previous_start = self.fields["starts_at"].clean(self.initial.get("starts_at"))
            except forms.ValidationError:
                previous_start = None
        bounds.form_check(
            self,
            None,
            shift_check_bounds,
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            previous_start=previous_start,
        )
        return data


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())

    def __init__(self, *args, line: WarmLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = line.members.filter(is_active=True).order_by(
            "display_name"
        )

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User
from peerportal.core.models import Location, Organization, Weekday
from peerportal.core.recurrence import to_utc

from .models import GroupFormat, SupportGroup, Topic


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=80)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.all(), required=False, empty_label=_("Any topic")
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("", _("Any format")), *GroupFormat.choices], required=False
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Any day")), *Weekday.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *settings.LANGUAGES], required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.active(),
        required=False,
        empty_label=_("Anywhere"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered with plain Bootstrap markup (includes/filter_field.html), not crispy.
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class GroupForm(forms.ModelForm):
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.staff(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SupportGroup
        fields = [
            "name",
            "description",
            "topics",
            "audience",
            "language",
            "format",
            "location",
            "accessibility_notes",
            "facilitators",
            "capacity",
            "virtual_link",
            "link_visible_minutes",
            "rrule",
            "first_date",
            "until",
            "start_time",
            "end_time",
            "horizon_weeks",
            "booking_opens_days",
            "booking_closes_minutes",
            "cancellation_cutoff_hours",
            "is_published",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "first_date": forms.DateInput(attrs={"type": "date"}),
            "until": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
        }


class SessionCancelForm(forms.Form):
    notice = forms.CharField(
        label=_("Message to booked members"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Don't include anyone's name or health details."),
    )


class SessionMoveForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    notice = forms.CharField(label=_("Message to booked members"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The session must end after it starts."))
        return data

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        tz = Organization.get().tzinfo
        d = self.cleaned_data
        return to_utc(d["date"], d["start"], tz), to_utc(d["date"], d["end"], tz)

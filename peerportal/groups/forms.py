from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User
from peerportal.core.models import Location, Organization, Weekday
from peerportal.core.recurrence import to_utc

from .models import STANDING_PAUSE_MAX_DAYS, Cadence, GroupFormat, SupportGroup, Topic
from .standing import PLACES_FIELDS


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


class GroupPlacesForm(forms.ModelForm):
    """Waitlist offers and standing places: a form of its own beside the group form."""

    class Meta:
        model = SupportGroup
        fields = list(PLACES_FIELDS)


class StandingJoinForm(forms.Form):
    cadence = forms.ChoiceField(
        label=_("How often"),
        choices=Cadence.choices,
        initial=Cadence.WEEKLY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class StandingPauseForm(forms.Form):
    paused_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    paused_until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        start, end = data.get("paused_from"), data.get("paused_until")
        if start and start < self.today:
            self.add_error("paused_from", _("A pause cannot start in the past."))
        if start and end and end < start:
            self.add_error("paused_until", _("The pause must end on or after the day it starts."))
        elif start and end and (end - start).days > STANDING_PAUSE_MAX_DAYS:
            self.add_error("paused_until", _("A pause can last at most 26 weeks."))
        return data

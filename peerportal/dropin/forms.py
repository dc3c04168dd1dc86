from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core import bounds
from peerportal.core.memo_select import MemoSelect
from peerportal.core.models import Location, Organization
from peerportal.core.prepared import PreparedRows
from peerportal.core.recurrence import validate_rrule

from .models import Event, EventCategory
from .services import event_check_bounds, series_check_bounds

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("FREQ=WEEKLY", _("Every week on the same day")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every other week on the same day")),
    ("FREQ=MONTHLY", _("Every month on the same date")),
    ("custom", _("Custom rule (RRULE)")),
]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CalendarFilterForm(forms.Form):
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.active(),
        required=False,
        empty_label=_("All locations"),
        widget=MemoSelect,
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=EventCategory.objects.filter(is_active=True),
        required=False,
        empty_label=_("All categories"),
        widget=MemoSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered with plain Bootstrap markup (includes/filter_field.html), not crispy, and
        # the options read as (id, name) pairs: no model instances, no server-side cursor;
        # the selects' HTML is remembered (MemoSelect).
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select"
            field.choices = [("", field.empty_label), *_FILTER_OPTIONS[name].rows()]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def filters(self) -> dict:
        if not self.is_valid():
            return {"location_id": None, "category_id": None}
        location = self.cleaned_data.get("location")
        category = self.cleaned_data.get("category")
        return {
            "location_id": location.pk if location else None,
            "category_id": category.pk if category else None,
        }


# Each filter's options as (id, name) pairs from the field's own queryset, its statement
# built by the ORM once per process (PreparedRows): the events list and month read them on
# every visit, and building the two queries cost more than running them.
_FILTER_OPTIONS = {
    name: PreparedRows(lambda field=field: field.queryset.values_list("pk", "name"))
    for name, field in CalendarFilterForm.base_fields.items()
}


class EventForm(forms.ModelForm):
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, required=False)
    custom_rule = forms.CharField(
        label=_("Custom recurrence rule"),
        required=False,
        max_length=200,
        help_text=_("Only for a custom rule, e.g. FREQ=MONTHLY;BYDAY=1TU (first Tuesday)."),
    )
    until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        fields = [
            "location",
            "title",
            "category",
            "description",
            "starts_at",
            "ends_at",
            "rsvp_enabled",
            "capacity",
            "accessibility_notes",
            "is_published",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, allow_repeat: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.active()
        self.fields["category"].queryset = EventCategory.objects.filter(is_active=True)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not allow_repeat:
            for name in ("repeat", "custom_rule", "until"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        bounds.form_check(
            self,
            None,
            event_check_bounds,
            starts_at=starts,
            ends_at=ends,
            capacity=data.get("capacity"),
            rsvp_enabled=bool(data.get("rsvp_enabled")),
            previous_start=self.instance.starts_at if self.instance.pk else None,
        )
        repeat = data.get("repeat") or ""
        if repeat == "custom":
            rule = (data.get("custom_rule") or "").strip()
            if not rule:
                self.add_error("custom_rule", _("Enter a recurrence rule."))
            else:
                try:
                    validate_rrule(rule)
                except forms.ValidationError as exc:
                    self.add_error("custom_rule", exc)
            data["rrule"] = rule
        else:
            data["rrule"] = repeat
        if data["rrule"] and starts and ends:
            tz = Organization.get().tzinfo
            local_start, local_end = timezone.localtime(starts, tz), timezone.localtime(ends, tz)
            if local_start.date() != local_end.date():
                self.add_error("ends_at", _("A repeating event must end on the day it starts."))
            bounds.form_check(
                self,
                None,
                series_check_bounds,
                rrule=data["rrule"],
                first_date=local_start.date(),
                until=data.get("until"),
                rename={"rrule": "custom_rule", "first_date": "starts_at"},
            )
        return data

    def series_fields(self) -> dict:
        """The series arguments for a repeating event, in the organization's local time."""
        tz = Organization.get().tzinfo
        data = self.cleaned_data
        local_start = timezone.localtime(data["starts_at"], tz)
        local_end = timezone.localtime(data["ends_at"], tz)
        return {
            "location": data["location"],
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "accessibility_notes": data["accessibility_notes"],
            "capacity": data["capacity"],
            "rsvp_enabled": data["rsvp_enabled"],
            "is_published": data["is_published"],
            "rrule": data["rrule"],
            "first_date": local_start.date(),
            "start_time": local_start.time().replace(second=0, microsecond=0),
            "end_time": local_end.time().replace(second=0, microsecond=0),
            "until": data.get("until"),
        }

    def event_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EventCancelForm(forms.Form):
    notice = forms.CharField(
        label=_("Cancellation notice"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Sent to everyone who RSVP'd and shown on the event page."),
    )


class AttendanceForm(forms.Form):
    attended_count = forms.IntegerField(
        label=_("How many people came"),
        min_value=0,
        max_value=bounds.ATTENDANCE_MAX,
        help_text=_("Everyone who came, with or without an RSVP. No names."),
    )

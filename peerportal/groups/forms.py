from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.accounts.models import User
from peerportal.core import recurrence
from peerportal.core.memo_select import MemoSelect
from peerportal.core.models import Location, Organization, Weekday
from peerportal.core.recurrence import to_utc

from .models import (
    CAPACITY_MAX,
    FIRST_DATE_FUTURE_DAYS,
    HORIZON_WEEKS_MAX,
    STANDING_PAUSE_MAX_DAYS,
    Cadence,
    GroupFormat,
    SupportGroup,
    Topic,
    session_length_error,
)
from .standing import PLACES_FIELDS
from .validation import first_date_error, last_date_error, skipped_dates_error


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=80)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Any topic"),
        widget=MemoSelect,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Any format")), *GroupFormat.choices],
        required=False,
        widget=MemoSelect,
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Any day")), *Weekday.choices],
        required=False,
        coerce=int,
        empty_value=None,
        widget=MemoSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Any language")), *settings.LANGUAGES],
        required=False,
        widget=MemoSelect,
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.active(),
        required=False,
        empty_label=_("Anywhere"),
        widget=MemoSelect,
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

    def set_choices(self, *, topics, locations) -> None:
        """Show these ``(id, name)`` lists as the topic and location options (the same
        options their querysets give, read without model instances); a submitted value is
        still checked against the querysets."""
        for name, rows in (("topic", topics), ("location", locations)):
            field = self.fields[name]
            field.choices = [("", field.empty_label), *rows]


REPEAT_CHOICES = [
    (recurrence.WEEKLY, _("Weekly, on chosen days")),
    (recurrence.MONTHLY, _("Monthly, on one weekday (e.g. the 2nd Tuesday)")),
]
INTERVAL_CHOICES = [
    (1, _("Every week")),
    (2, _("Every other week")),
    (3, _("Every 3 weeks")),
    (4, _("Every 4 weeks")),
]
ORDINAL_CHOICES = [(n, recurrence.ordinal_label(n)) for n in recurrence.ORDINALS]


class DateListField(forms.CharField):
    """Dates one per line (or separated by commas), as YYYY-MM-DD."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "YYYY-MM-DD"})

    def to_python(self, value):
        text = super().to_python(value) or ""
        out = []
        for token in text.replace(",", "\n").split():
            try:
                out.append(dt.date.fromisoformat(token.strip()))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, one per line."),
                    params={"value": token[:20]},
                ) from None
        return sorted(set(out))

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(d.isoformat() if isinstance(d, dt.date) else str(d) for d in value)
        return value


class GroupForm(forms.ModelForm):
    """The group, with a schedule builder instead of a rule: the rule is built in ``clean``."""

    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.staff(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=REPEAT_CHOICES,
        initial=recurrence.WEEKLY,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interval = forms.TypedChoiceField(
        label=_("How often"), choices=INTERVAL_CHOICES, coerce=int, initial=1, required=False
    )
    ordinal = forms.TypedChoiceField(
        label=_("Which week of the month"),
        choices=ORDINAL_CHOICES,
        coerce=int,
        required=False,
        initial=1,
    )
    month_weekday = forms.TypedChoiceField(
        label=_("Day"), choices=Weekday.choices, coerce=int, required=False, initial=1
    )
    skipped = DateListField(
        label=_("Skipped dates"),
        required=False,
        max_length=1000,
        help_text=_(
            "Dates with no session, such as holidays: one per line as YYYY-MM-DD. "
            "Each must be a date the group meets on."
        ),
    )

    SCHEDULE_FIELDS = (
        "repeat",
        "weekdays",
        "interval",
        "ordinal",
        "month_weekday",
        "first_date",
        "until",
        "start_time",
        "end_time",
        "skipped",
        "horizon_weeks",
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
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "until": _("Optional. Leave empty for a group with no planned end."),
            "horizon_weeks": _("1 to 26 weeks. Sessions further ahead are added automatically."),
        }

    # Bounds shown on the form (the model and the service hold the same ones).
    BOUNDS = {
        "capacity": (1, CAPACITY_MAX),
        "horizon_weeks": (1, HORIZON_WEEKS_MAX),
        "link_visible_minutes": (0, 240),
        "booking_opens_days": (1, 182),
        "booking_closes_minutes": (0, 24 * 60),
        "cancellation_cutoff_hours": (0, 7 * 24),
    }

    def __init__(self, *args, now: dt.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.tz = Organization.get().tzinfo
        for name, (low, high) in self.BOUNDS.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})
        self.fields["description"].max_length = 4000
        self.previous_first_date = self.instance.first_date if self.instance.pk else None
        if self.instance.pk and not self.is_bound:
            self.initial.update(self._builder_initial(self.instance))

    @staticmethod
    def _builder_initial(group: SupportGroup) -> dict:
        try:
            schedule = group.schedule
        except forms.ValidationError:
            return {"repeat": recurrence.WEEKLY, "weekdays": [group.first_date.weekday()]}
        return {
            "repeat": schedule.repeat,
            "weekdays": list(schedule.weekdays),
            "interval": schedule.interval,
            "ordinal": schedule.ordinal or 1,
            "month_weekday": schedule.weekday if schedule.weekday is not None else 1,
            "skipped": group.skipped,
        }

    def clean(self):
        data = super().clean()
        repeat = data.get("repeat")
        schedule = None
        try:
            if repeat == recurrence.WEEKLY:
                schedule = recurrence.Schedule(
                    recurrence.WEEKLY,
                    weekdays=tuple(data.get("weekdays") or ()),
                    interval=data.get("interval") or 1,
                )
            elif repeat == recurrence.MONTHLY:
                schedule = recurrence.Schedule(
                    recurrence.MONTHLY,
                    ordinal=data.get("ordinal"),
                    weekday=data.get("month_weekday"),
                )
        except forms.ValidationError as exc:
            self.add_error("weekdays" if repeat == recurrence.WEEKLY else "ordinal", exc)
        self.schedule = schedule
        today = timezone.localdate(self.now, self.tz)
        first, until = data.get("first_date"), data.get("until")
        if first:
            message = first_date_error(first, today=today, previous=self.previous_first_date)
            if message:
                self.add_error("first_date", message)
            message = last_date_error(first, until, today=today)
            if message:
                self.add_error("until", message)
        skipped = data.get("skipped") or []
        if schedule and first and skipped and "skipped" not in self.errors:
            message = skipped_dates_error(schedule, skipped, first=first, until=until)
            if message:
                self.add_error("skipped", message)
        if schedule:
            self.instance.rrule = schedule.to_rule()
        self.instance.skipped_dates = [d.isoformat() for d in skipped]
        return data


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

    def __init__(self, *args, now: dt.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def clean(self):
        data = super().clean()
        start, end, day = data.get("start"), data.get("end"), data.get("date")
        if start and end:
            message = session_length_error(start, end)
            if message:
                self.add_error("end", message)
        if day and start and not self.errors:
            starts_at, _ends_at = self.times()
            if starts_at <= self.now:
                self.add_error("date", _("A session can't be moved into the past."))
            elif starts_at > self.now + dt.timedelta(days=FIRST_DATE_FUTURE_DAYS):
                self.add_error("date", _("A session can be moved at most two years ahead."))
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

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from peerportal.core.models import Location

from .queries import Period, default_period

MAX_DAYS = 366 * 2


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.all(),
        required=False,
        empty_label=_("All locations"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            if (end - start) > dt.timedelta(days=MAX_DAYS):
                raise forms.ValidationError(_("Choose a period of at most two years."))
        return data

    def period(self) -> Period:
        default = default_period()
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default.start
        end = self.cleaned_data.get("end") or default.end
        if end < start:
            start, end = default.start, default.end
        return Period(start=start, end=end, location=self.cleaned_data.get("location"))

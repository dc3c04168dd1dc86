"""The notification preferences form, built from the registered kinds."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .registry import all_kinds

HOUR_CHOICES = [30, 60, 2 * 60, 6 * 60, 12 * 60, 24 * 60, 48 * 60]  # minutes
DAY_CHOICES = [d * 24 * 60 for d in (1, 3, 7, 14, 30, 60, 90)]


def offset_label(minutes: int) -> str:
    if minutes % (24 * 60) == 0 and minutes >= 72 * 60:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day before", "%(n)d days before", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour before", "%(n)d hours before", hours) % {"n": hours}
    return ngettext("%(n)d minute before", "%(n)d minutes before", minutes) % {"n": minutes}


def offset_choices(kind) -> list[tuple[str, str]]:
    defaults = {int(o.total_seconds() // 60) for o in kind.default_offsets}
    scale = DAY_CHOICES if max(defaults) >= 7 * 24 * 60 else HOUR_CHOICES
    return [(str(m), offset_label(m)) for m in sorted(defaults | set(scale), reverse=True)]


def enabled_field(code: str) -> str:
    return f"enabled__{code}"


def offsets_field(code: str) -> str:
    return f"offsets__{code}"


class NotificationPreferenceForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In your time zone. Non-urgent emails wait until quiet hours end."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, preference, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = all_kinds()
        self.preference = preference
        self.fields["quiet_hours_start"].initial = preference.quiet_hours_start
        self.fields["quiet_hours_end"].initial = preference.quiet_hours_end
        for kind in self.kinds:
            self.fields[enabled_field(kind.code)] = forms.BooleanField(
                label=kind.label,
                required=False,
                initial=(not kind.optional) or preference.kind_enabled(kind.code),
                disabled=not kind.optional,
                help_text=None
                if kind.optional
                else _("About something you booked or were booked for; always sent."),
            )
            if kind.default_offsets:
                saved = (preference.offsets or {}).get(kind.code)
                initial = (
                    [str(m) for m in saved]
                    if saved is not None
                    else [str(int(o.total_seconds() // 60)) for o in kind.default_offsets]
                )
                self.fields[offsets_field(kind.code)] = forms.MultipleChoiceField(
                    label=_("When: %(kind)s") % {"kind": kind.label},
                    choices=offset_choices(kind),
                    required=False,
                    initial=initial,
                    widget=forms.CheckboxSelectMultiple,
                )

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both a start and an end for quiet hours."))
        return data

    def disabled_kinds(self) -> list[str]:
        return [
            k.code
            for k in self.kinds
            if k.optional and not self.cleaned_data.get(enabled_field(k.code))
        ]

    def offsets(self) -> dict[str, list[int]]:
        """Only kinds whose choice differs from the defaults are stored."""
        out = {}
        for kind in self.kinds:
            if not kind.default_offsets:
                continue
            chosen = sorted(int(m) for m in self.cleaned_data.get(offsets_field(kind.code), []))
            default = sorted(int(o.total_seconds() // 60) for o in kind.default_offsets)
            if chosen != default:
                out[kind.code] = chosen
        return out

    def quiet_hours(self) -> tuple[dt.time | None, dt.time | None]:
        return self.cleaned_data.get("quiet_hours_start"), self.cleaned_data.get("quiet_hours_end")

"""The notification preferences form, built from the registered kinds."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from peerportal.core import bounds

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
        # Only the kinds this person can receive, grouped by the part of the portal they
        # come from (a member never sees shift or credential reminders).
        offered = [k for k in all_kinds() if k.offered_to(preference.user)]
        self.kinds = sorted(offered, key=lambda k: (k.section, str(k.label)))
        self.hidden_kinds = [k for k in all_kinds() if k not in self.kinds]
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
        bounds.form_check(
            self,
            None,
            bounds.check_quiet_hours,
            data.get("quiet_hours_start"),
            data.get("quiet_hours_end"),
        )
        for kind in self.kinds:
            name = offsets_field(kind.code)
            if name not in self.fields or name in self.errors:
                continue
            enabled = not kind.optional or data.get(enabled_field(kind.code))
            if enabled and not data.get(name):
                self.add_error(
                    name,
                    _("Tick at least one time, or switch this reminder off.")
                    if kind.optional
                    else _("Tick at least one time."),
                )
        return data

    def sections(self) -> list[tuple[str, list]]:
        """(heading, bound fields) for each part of the portal, in order."""
        out: list[tuple[str, list]] = []
        for kind in self.kinds:
            fields = [self[enabled_field(kind.code)]]
            if offsets_field(kind.code) in self.fields:
                fields.append(self[offsets_field(kind.code)])
            if not out or out[-1][0] != kind.section:
                out.append((kind.section, []))
            out[-1][1].extend(fields)
        return out

    def disabled_kinds(self) -> list[str]:
        """The offered kinds switched off here, plus hidden ones switched off before (a
        former staff member's choices are kept should the role come back)."""
        kept = set(self.preference.disabled_kinds or []) & {k.code for k in self.hidden_kinds}
        return sorted(
            kept
            | {
                k.code
                for k in self.kinds
                if k.optional and not self.cleaned_data.get(enabled_field(k.code))
            }
        )

    def offsets(self) -> dict[str, list[int]]:
        """Only kinds whose choice differs from the defaults are stored (hidden kinds keep
        what was saved)."""
        hidden = {k.code for k in self.hidden_kinds}
        out = {c: m for c, m in (self.preference.offsets or {}).items() if c in hidden}
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

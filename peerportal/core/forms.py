from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bounds
from .models import Location, OpeningHours, Organization


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "time_zone",
            "contact_email",
            "contact_phone",
            "website",
            "crisis_resources",
            "crisis_resources_es",
            "warm_line_notice",
            "logo",
        ]
        widgets = {
            "crisis_resources": forms.Textarea(attrs={"rows": 3}),
            "crisis_resources_es": forms.Textarea(attrs={"rows": 3}),
            "warm_line_notice": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 1024 * 1024:
            raise forms.ValidationError(_("The logo must be 1 MB or smaller."))
        return logo


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = [
            "name",
            "kind",
            "address",
            "city",
            "postal_code",
            "phone",
            "accessibility_notes",
            "is_active",
        ]


class BaseOpeningHoursFormSet(forms.BaseInlineFormSet):
    """Opening hours of one location, checked together (``core.bounds``)."""

    def rows(self) -> list[tuple[int, object, object]]:
        """(weekday, opens, closes) of every filled-in block that is not being deleted."""
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            if all(data.get(k) is not None for k in ("weekday", "opens", "closes")):
                out.append((data["weekday"], data["opens"], data["closes"]))
        return out

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        bounds.check_opening_hours(self.rows())


OpeningHoursFormSet = forms.inlineformset_factory(
    Location,
    OpeningHours,
    formset=BaseOpeningHoursFormSet,
    fields=["weekday", "opens", "closes"],
    extra=1,
    can_delete=True,
    widgets={
        "opens": forms.TimeInput(attrs={"type": "time"}),
        "closes": forms.TimeInput(attrs={"type": "time"}),
    },
)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)
    object_type = forms.CharField(
        label=_("Object type (app.model)"), required=False, max_length=100
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor_id = forms.IntegerField(label=_("Actor id"), required=False, min_value=1)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

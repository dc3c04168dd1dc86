from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import STAFF_ROLES, Role, User
from .services import LastCoordinator, keeps_a_coordinator


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How others in the portal see you. A first name or a pseudonym is fine."),
    )
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)

    field_order = ["email", "display_name", "pronouns", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.pronouns = self.cleaned_data.get("pronouns", "")
        user.preferred_language = getattr(request, "LANGUAGE_CODE", "en")[:2]
        user.save()


# Region/City zones people pick from; old aliases ("US/Eastern", "EST5EDT", "Etc/GMT+5") left out.
_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/",
    "Europe/", "Indian/", "Pacific/",
)  # fmt: skip


@lru_cache(maxsize=1)
def selectable_time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if z.startswith(_REGIONS)))


def _zone_label(zone: str) -> str:
    return zone.replace("_", " ").replace("/", " / ")


def time_zone_choices(organization_zone: str) -> list[tuple[str, str]]:
    """Empty (follow the organization), the organization's zone, then every other zone."""
    return [
        (
            "",
            _("The organization's time zone (%(zone)s)") % {"zone": _zone_label(organization_zone)},
        ),
        (organization_zone, _zone_label(organization_zone)),
        *((z, _zone_label(z)) for z in selectable_time_zones() if z != organization_zone),
    ]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "pronouns", "preferred_language", "time_zone"]

    def __init__(self, *args, **kwargs):
        from peerportal.core.models import Organization

        super().__init__(*args, **kwargs)
        choices = time_zone_choices(Organization.get().time_zone)
        current = self.instance.time_zone
        if current and current not in dict(choices):  # a valid zone saved before the list
            choices.append((current, _zone_label(current)))
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=choices,
            required=False,
            help_text=_("Times on the portal and in your emails are shown in this zone."),
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only for peer specialists and supervisors."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["supervisor"].queryset = User.objects.supervisors().exclude(pk=user.pk)

    def clean(self):
        data = super().clean()
        if data.get("supervisor") and data.get("role") not in STAFF_ROLES:
            self.add_error("supervisor", _("Only staff roles have a supervisor."))
        role = data.get("role")
        if role and not keeps_a_coordinator(
            user=self.user, role=role, is_active=self.user.is_active
        ):
            self.add_error("role", str(LastCoordinator()))
        return data


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=80)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False)
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and personal details will be erased and cannot be restored."
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password

    def clean(self):
        data = super().clean()
        if not keeps_a_coordinator(user=self.user, is_active=False):
            raise forms.ValidationError(
                _(
                    "You are the last active coordinator, so your account can't be deleted "
                    "yet. Make someone else a coordinator first."
                ),
                code="last_coordinator",
            )
        return data



class VerificationResendForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)

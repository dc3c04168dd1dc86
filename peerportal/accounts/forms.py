from __future__ import annotations

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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "pronouns", "preferred_language", "time_zone"]


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

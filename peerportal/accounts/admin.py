from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record

from .models import FeedToken, User
from .services import LastCoordinator, keeps_a_coordinator


class PersonChangeForm(UserChangeForm):
    """The admin's change form, holding the last-coordinator rule like the People page."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        data = super().clean()
        user = self.instance
        if user.pk and not keeps_a_coordinator(
            user=user,
            role=data.get("role", user.role),
            is_active=data.get("is_active", user.is_active),
        ):
            raise ValidationError(str(LastCoordinator()), code="last_coordinator")
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PersonChangeForm
    ordering = ["display_name"]
    list_display = ["id", "display_name", "role", "supervisor", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["display_name", "email"]
    autocomplete_fields = ["supervisor"]
    readonly_fields = ["last_login", "date_joined", "erased_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "pronouns", "preferred_language", "time_zone")}),
        (_("Role"), {"fields": ("role", "supervisor")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "role", "password1", "password2"),
            },
        ),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        """Accounts are erased (pseudonymised, counts kept) through "Delete my account" and
        the erasure service, never deleted row and all; that also keeps the last
        coordinator from being deleted here."""
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"role", "supervisor"} & set(form.changed_data):
            audit_record(
                actor=request.user,
                action="user.role_change",
                obj=obj,
                request=request,
                extra={"to": obj.role, "supervisor_id": obj.supervisor_id, "via": "admin"},
            )


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user_id", "created_at"]
    readonly_fields = ["user", "token", "created_at"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record

from .models import FeedToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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

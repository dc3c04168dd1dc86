from django.contrib import admin

from .forms import ShiftPatternForm
from .models import CallTopic, Referral, Shift, ShiftPattern, WarmLine


class ShiftPatternInline(admin.TabularInline):
    """Credential codes come from certification's list, as on the coordinator's page."""

    model = ShiftPattern
    form = ShiftPatternForm
    extra = 0


@admin.register(WarmLine)
class WarmLineAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "is_active"]
    filter_horizontal = ["members"]
    inlines = [ShiftPatternInline]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["line", "starts_at", "min_staff", "max_staff", "required_qualification"]
    list_filter = ["line"]


admin.site.register(CallTopic)
admin.site.register(Referral)

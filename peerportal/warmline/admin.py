from django.contrib import admin

from .models import CallTopic, Referral, Shift, ShiftPattern, WarmLine


class ShiftPatternInline(admin.TabularInline):
    model = ShiftPattern
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

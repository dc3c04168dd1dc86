from django.contrib import admin

from .models import Booking, GroupSession, SupportGroup, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "language", "capacity", "is_published", "archived_at"]
    list_filter = ["format", "language", "is_published", "topics"]
    # The schedule is built and its sessions regenerated in the portal's group form only.
    readonly_fields = ["rrule", "skipped_dates", "archived_at"]
    search_fields = ["name"]
    filter_horizontal = ["topics", "facilitators"]


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ["group", "starts_at", "status"]
    list_filter = ["status", "group"]
    date_hierarchy = "starts_at"


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Ids only in lists: bookings say who attends a mental-health group."""

    list_display = ["id", "session", "member_id", "status", "attendance"]
    list_filter = ["status", "attendance"]
    raw_id_fields = ["session", "member"]

from django.contrib import admin

from .models import Event, EventCategory, EventSeries, VisitCategory


@admin.register(EventCategory)
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(VisitCategory)
class VisitCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "location", "rrule", "first_date", "until", "is_active"]
    list_filter = ["location", "is_active"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the portal's pages so RSVP'd members are told."""

    list_display = ["title", "location", "starts_at", "is_published", "is_cancelled"]
    list_filter = ["location", "is_published", "is_cancelled", "category"]
    date_hierarchy = "starts_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

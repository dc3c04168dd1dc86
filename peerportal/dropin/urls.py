from django.urls import path

from . import views

app_name = "dropin"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/month/", views.calendar_month, name="calendar-month"),
    path("events/week/", views.calendar_week, name="calendar-week"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event-cancel"),
    path("series/<int:pk>/end/", views.series_end, name="series-end"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event-attendance"),
    path("events/<int:pk>/rsvp/", views.rsvp_create, name="rsvp-create"),
    path("events/<int:pk>/rsvp/cancel/", views.rsvp_cancel, name="rsvp-cancel"),
    path("my-rsvps/", views.rsvp_list, name="rsvp-list"),
    path("locations/<int:pk>/events.ics", views.location_feed, name="location-feed"),
    path("visits/", views.tally_list, name="tally-list"),
    path("visits/<int:pk>/", views.tally_counter, name="tally-counter"),
    path("visits/<int:pk>/tap/", views.tally_tap, name="tally-tap"),
    path("visits/<int:pk>/undo/", views.tally_undo, name="tally-undo"),
]

from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.directory, name="group-list"),
    path("<int:pk>/", views.group_detail, name="group-detail"),
    path("sessions/<int:pk>/book/", views.booking_create, name="booking-create"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer-decline"),
    path("offers/answer/<str:token>/", views.offer_respond, name="offer-respond"),
    path("standing/", views.standing_list, name="standing-list"),
    path("<int:pk>/standing/join/", views.standing_join, name="standing-join"),
    path("standing/<int:pk>/pause/", views.standing_pause, name="standing-pause"),
    path("standing/<int:pk>/leave/", views.standing_leave, name="standing-leave"),
    path("standing/<int:pk>/keep/", views.standing_keep, name="standing-keep"),
    path("feed/<str:token>.ics", views.booking_feed, name="booking-feed"),
    path("facilitating/", views.facilitator_sessions, name="session-list"),
    path("sessions/<int:pk>/roster/", views.session_roster, name="session-roster"),
    path("attendance/<int:pk>/", views.attendance_mark, name="attendance-mark"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/move/", views.session_move, name="session-move"),
    path("manage/", views.group_manage_list, name="group-manage-list"),
    path("manage/new/", views.group_edit, name="group-create"),
    path("manage/<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("manage/<int:pk>/archive/", views.group_archive, name="group-archive"),
    path("manage/<int:pk>/delete/", views.group_delete, name="group-delete"),
    path("manage/schedule-preview/", views.schedule_preview, name="schedule-preview"),
    path("manage/<int:pk>/places/", views.group_places_edit, name="group-places-edit"),
    path("manage/<int:pk>/sessions/", views.group_sessions_overview, name="group-sessions"),
]

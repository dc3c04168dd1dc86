from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_list, name="reminder-list"),
    path("preferences/", views.preference_edit, name="preference-edit"),
    path("unsubscribe/<str:token>/", views.preference_unsubscribe, name="preference-unsubscribe"),
    path("failed/", views.reminder_failed_list, name="reminder-failed-list"),
    path("<int:pk>/retry/", views.reminder_retry, name="reminder-retry"),
]

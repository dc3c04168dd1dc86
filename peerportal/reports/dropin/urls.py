from django.urls import path

from . import views

app_name = "dropin"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("events.csv", views.events_csv, name="events-csv"),
    path("visits.csv", views.visits_csv, name="visits-csv"),
]

from django.urls import path

from . import views

app_name = "warmline"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.overview_csv, name="overview-csv"),
]

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("locations/", views.location_list, name="location-list"),
    path("locations/new/", views.location_edit, name="location-create"),
    path("locations/<int:pk>/", views.location_detail, name="location-detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location-edit"),
    path("organization/", views.organization_edit, name="organization-edit"),
    path("audit/", views.audit_log, name="audit-list"),
]

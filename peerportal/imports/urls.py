from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_start, name="import-start"),
    path("jobs/<int:pk>/", views.import_job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", views.import_job_status, name="job-status"),
    path("jobs/<int:pk>/confirm/", views.import_job_confirm, name="job-confirm"),
    path("template/<str:kind>.<str:file_format>", views.template_download, name="template"),
    path("export/<str:kind>.<str:file_format>", views.export_download, name="export"),
]

"""Reports read across apps; each area keeps its views in its own package here."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("groups/", include("peerportal.reports.groups.urls")),
    path("warm-line/", include("peerportal.reports.warmline.urls")),
    path("drop-in/", include("peerportal.reports.dropin.urls")),
    path("certification/", include("peerportal.reports.certification.urls")),
]

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The admin login goes through allauth (email verification, rate limits, MFA).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "peerportal"

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("peerportal.core.urls")),
    path("", include("peerportal.accounts.urls")),
    path("reminders/", include("peerportal.reminders.urls")),
    path("groups/", include("peerportal.groups.urls")),
    path("certification/", include("peerportal.certification.urls")),
    path("warm-line/", include("peerportal.warmline.urls")),
    path("drop-in/", include("peerportal.dropin.urls")),
    path("reports/", include("peerportal.reports.urls")),
    path("imports/", include("peerportal.imports.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "peerportal.core.errors.permission_denied"
handler404 = "peerportal.core.errors.page_not_found"
handler500 = "peerportal.core.errors.server_error"

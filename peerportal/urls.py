import re
from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import include, path


def _operator_only(request) -> bool:
    """The Django admin is for the technical operator (a superuser), not for coordinators.

    It edits rows directly, past the services that lock seats, tell members, keep the audit
    log and apply the guard rails; every coordinator task has a page in the portal (People,
    Organization, Manage groups, Audit log), so a coordinator is shown the way there (403.html).
    """
    user = request.user
    return bool(user.is_active and user.is_superuser)


def _admin_login(view):
    # Through allauth first (email verification, rate limits, MFA), then operators only.
    secured = secure_admin_login(view)

    @wraps(view)
    def login(request, *args, **kwargs):
        if request.user.is_authenticated and not _operator_only(request):
            raise PermissionDenied
        return secured(request, *args, **kwargs)

    return login


admin.site.has_permission = _operator_only
admin.site.login = _admin_login(admin.site.login)
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

if settings.SERVE_MEDIA:
    # Public media only (the logo); private files are served by views that check permission.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(
            r"^" + re.escape(settings.MEDIA_URL.lstrip("/")) + r"(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler403 = "peerportal.core.errors.permission_denied"
handler404 = "peerportal.core.errors.page_not_found"
handler500 = "peerportal.core.errors.server_error"

from __future__ import annotations

from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .models import organization_per_request
from .timezones import tz_for


class TimezoneMiddleware:
    """Show times in the person's own time zone, else the organization's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The organization is read once for the whole request from here on.
        with organization_per_request():
            tz = tz_for(getattr(request, "user", None))
            timezone.activate(tz)
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()


class NoStoreForAuthenticatedMiddleware:
    """Pages seen while signed in are never kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
        return response

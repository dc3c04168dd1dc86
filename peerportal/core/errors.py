"""Error pages that keep the crisis resources in view.

500 renders without the context processors (the database may be the thing that failed).
"""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from peerportal.core.models import DEFAULT_CRISIS_RESOURCES


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    body = loader.get_template("500.html").render({"crisis_resources": _(DEFAULT_CRISIS_RESOURCES)})
    return HttpResponseServerError(body)

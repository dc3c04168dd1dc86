from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import AuditFilterForm, LocationForm, OpeningHoursFormSet, OrganizationForm
from .health import broker_status, database_status
from .models import Location, Organization
from .navigation import panels_for
from .permissions import role_required


def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


@role_required("member")
def dashboard(request):
    return render(request, "core/dashboard.html", {"panels": panels_for(request)})


@require_GET
@never_cache
def healthz(request):
    db = database_status()
    payload = {"status": "ok" if db == "ok" else "down", "database": db, "broker": broker_status()}
    return JsonResponse(payload, status=200 if db == "ok" else 503)


def location_list(request):
    locations = Location.objects.active().prefetch_related("opening_hours")
    now = timezone.now()
    page = Paginator(locations, 25).get_page(request.GET.get("page"))
    rows = [(loc, loc.is_open_at(now, list(loc.opening_hours.all()))) for loc in page]
    return render(request, "core/location_list.html", {"page": page, "rows": rows})


def location_detail(request, pk: int):
    location = get_object_or_404(Location.objects.active().prefetch_related("opening_hours"), pk=pk)
    hours = list(location.opening_hours.all())
    return render(
        request,
        "core/location_detail.html",
        {
            "location": location,
            "hours": hours,
            "open_now": location.is_open_at(timezone.now(), hours),
        },
    )


@role_required("coordinator")
def location_edit(request, pk: int | None = None):
    location = get_object_or_404(Location, pk=pk) if pk else Location()
    form = LocationForm(request.POST or None, instance=location)
    formset = OpeningHoursFormSet(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            location = services.location_save(
                actor=request.user,
                location=form.save(commit=False),
                opening_hours=formset.rows(),
                request=request,
            )
        except services.CoreError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Location saved."))
            return redirect("core:location-detail", pk=location.pk)
    return render(
        request, "core/location_form.html", {"form": form, "formset": formset, "location": location}
    )


@role_required("coordinator")
def organization_edit(request):
    organization = Organization.get()
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_save(
                actor=request.user, organization=form.save(commit=False), request=request
            )
        except services.CoreError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Organization settings saved."))
            return redirect("core:organization-edit")
    return render(request, "core/organization_form.html", {"form": form})


@role_required("coordinator")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    events = selectors.audit_event_list_for(request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "rows": selectors.audit_rows(page)},
    )

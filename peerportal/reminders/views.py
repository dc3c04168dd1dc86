"""Reminder pages: my upcoming reminders and preferences (members), failed reminders
(coordinators), and the public signed one-click unsubscribe link from every email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from peerportal.core.permissions import role_required

from . import selectors, services
from .exceptions import ReminderError
from .forms import NotificationPreferenceForm
from .preferences import preference_for
from .registry import all_kinds, get_kind
from .sending import read_unsubscribe_token

PAGE_SIZE = 25


def _label(code: str) -> str:
    try:
        return get_kind(code).label
    except LookupError:
        return code


@role_required("member")
def reminder_list(request):
    page = Paginator(selectors.reminder_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(r, _label(r.kind)) for r in page]
    return render(request, "reminders/reminder_list.html", {"page": page, "rows": rows})


@role_required("member")
def preference_edit(request):
    preference = preference_for(request.user)
    form = NotificationPreferenceForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        start, end = form.quiet_hours()
        services.notification_preference_update(
            user=request.user,
            disabled_kinds=form.disabled_kinds(),
            offsets=form.offsets(),
            quiet_hours_start=start,
            quiet_hours_end=end,
        )
        messages.success(
            request,
            _("Saved. Changed times apply to reminders scheduled from now on."),
        )
        return redirect("reminders:preference-edit")
    return render(request, "reminders/preference_form.html", {"form": form})


def _user_for_token(token: str):
    data = read_unsubscribe_token(token)
    if data is None:
        raise Http404
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if user is None:
        raise Http404
    kind_code = data.get("k") or ""
    try:
        kind = get_kind(kind_code) if kind_code else None
    except LookupError:
        kind = None
    if kind is not None and not kind.optional:
        kind = None  # a notice that cannot be switched off: offer "all optional" instead
    return user, kind


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without cookies.
@never_cache
@require_http_methods(["GET", "POST"])
def preference_unsubscribe(request, token):
    """Public: the signed token is the authority. GET asks, POST unsubscribes."""
    user, kind = _user_for_token(token)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        everything = request.POST.get("scope") == "all" or kind is None
        code = "" if everything else kind.code
        services.notification_preference_unsubscribe(user=user, kind_code=code, request=request)
        return render(
            request,
            "reminders/unsubscribe_done.html",
            {"kind": None if everything else kind, "one_click": one_click},
        )
    optional = [k for k in all_kinds() if k.optional]
    return render(
        request,
        "reminders/unsubscribe_confirm.html",
        {"kind": kind, "optional_kinds": optional},
    )


@role_required("coordinator")
def reminder_failed_list(request):
    page = Paginator(selectors.reminder_failed_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(r, _label(r.kind)) for r in page]
    return render(request, "reminders/failed_list.html", {"page": page, "rows": rows})


@role_required("coordinator")
@require_POST
def reminder_retry(request, pk):
    reminder = selectors.reminder_failed_get_for(request.user, pk)
    try:
        services.reminder_retry(actor=request.user, reminder=reminder, request=request)
    except ReminderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The reminder will be sent again within a minute."))
    return redirect("reminders:reminder-failed-list")

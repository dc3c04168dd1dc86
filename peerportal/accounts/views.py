from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerportal.core.audit import audit_record
from peerportal.core.permissions import has_role, role_required
from peerportal.core.ratelimit import hit

from . import selectors, services
from .erasure import user_erase
from .export import user_data_export_json
from .forms import (
    AccountDeleteForm,
    PeopleFilterForm,
    ProfileForm,
    RoleForm,
    VerificationResendForm,
)


@role_required("member")
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    token = services.feed_token_for(user=request.user)
    feeds = [
        ("feed-bookings", _("Your booked group sessions"), "groups:booking-feed"),
        ("feed-shifts", _("Your warm-line shifts"), "warmline:shift-feed"),
    ]
    calendar_links = [
        {
            "id": id_,
            "label": label,
            "url": request.build_absolute_uri(reverse(name, args=[token.token])),
        }
        for id_, label, name in feeds
        if name.startswith("groups:") or has_role(request.user, "staff")
    ]
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "feed_token": token, "calendar_links": calendar_links},
    )


@require_POST
@role_required("member")
def feed_token_rotate(request):
    services.feed_token_rotate(user=request.user)
    messages.success(request, _("Your calendar links were replaced. The old links no longer work."))
    return redirect("accounts:profile")


@role_required("coordinator")
def people_list(request):
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list_for(
        request.user, q=filters.get("q", ""), role=filters.get("role", "")
    )
    page = Paginator(people, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/people_list.html", {"form": form, "page": page})


@role_required("coordinator")
def person_role_edit(request, pk: int):
    person = selectors.person_get_for(request.user, pk)
    form = RoleForm(
        request.POST or None,
        user=person,
        initial={"role": person.role, "supervisor": person.supervisor_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_role(
                actor=request.user,
                user=person,
                role=form.cleaned_data["role"],
                supervisor=form.cleaned_data["supervisor"],
                request=request,
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Role updated."))
            return redirect("accounts:people-list")
    return render(request, "accounts/person_role_form.html", {"form": form, "person": person})


@role_required("member")
def data_export(request):
    """GET explains; POST downloads everything the portal holds about you, as JSON."""
    if request.method != "POST":
        return render(request, "accounts/data_export.html")
    audit_record(actor=request.user, action="user.export", obj=request.user, request=request)
    response = HttpResponse(
        user_data_export_json(user=request.user), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-peerportal-data.json"'
    return response


@role_required("member")
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            user_erase(user=user, actor=user, request=request)
        except services.AccountError as exc:  # the last coordinator, raced past the form
            form.add_error(None, str(exc))
            return render(request, "accounts/account_delete.html", {"form": form})
        logout(request)
        messages.success(request, _("Your account was deleted. Take care."))
        return redirect("core:home")
    return render(request, "accounts/account_delete.html", {"form": form})


# Per address of the visitor: enough for a person who mistyped, too few to mail-bomb anyone.
VERIFICATION_RESEND_RATE = "5/h"


def verification_resend(request):
    """Public: a new email-confirmation link, for people whose first one never arrived.

    The same answer whether or not the address has an account waiting (no enumeration).
    """
    form = VerificationResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if hit(
            "verification-resend", request.META.get("REMOTE_ADDR", ""), VERIFICATION_RESEND_RATE
        ):
            services.email_verification_resend(request=request, email=form.cleaned_data["email"])
        messages.info(
            request,
            _(
                "If an account is waiting for confirmation at that address, a new link is on "
                "its way. It can take a few minutes; check your spam folder too."
            ),
        )
        return redirect("account_login")
    return render(request, "accounts/verification_resend.html", {"form": form})

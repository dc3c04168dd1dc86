"""Waitlist offers: taking or letting go of a held place, signed in or from the email's link."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peerportal.core.models import Organization
from peerportal.core.permissions import role_required
from peerportal.core.ratelimit import ratelimit

from .. import selectors, waitlist
from ..exceptions import GroupsError


def _offer_answer(request, offer, member, answer: str) -> tuple[str, bool]:
    """Accept or decline; returns (message, ok)."""
    try:
        if answer == "accept":
            waitlist.waitlist_offer_accept(offer=offer, member=member, request=request)
            return _("The place is yours. A confirmation email is on its way."), True
        if answer == "decline":
            waitlist.waitlist_offer_decline(offer=offer, member=member, request=request)
            return _("Thank you for letting us know. The place goes to the next person."), True
    except GroupsError as exc:
        return str(exc), False
    return _("Please choose whether to take the place."), False


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def offer_accept(request, pk: int):
    offer = selectors.offer_get_for(request.user, pk)
    message, ok = _offer_answer(request, offer, request.user, "accept")
    (messages.success if ok else messages.error)(request, message)
    return redirect("groups:booking-list")


@require_POST
@role_required("member")
@ratelimit("booking", rate="30/m")
def offer_decline(request, pk: int):
    offer = selectors.offer_get_for(request.user, pk)
    message, ok = _offer_answer(request, offer, request.user, "decline")
    (messages.success if ok else messages.error)(request, message)
    return redirect("groups:booking-list")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("offer-link", rate="30/m")
def offer_respond(request, token: str):
    """Public: the signed link from the offer email is the authority (GET asks, POST acts).

    The offer's own state makes the link one-time: once answered or lapsed it only says so.
    """
    pk = waitlist.offer_id_from_token(token)
    if pk is None:
        raise Http404
    offer = selectors.offer_get_by_id(pk)
    context = {
        "offer": offer,
        "session": offer.session,
        "is_open": offer.is_open(timezone.now()),
        "time_zone": Organization.get().tzinfo,
    }
    if request.method == "POST":
        message, ok = _offer_answer(
            request, offer, offer.booking.member, request.POST.get("answer", "")
        )
        context.update({"message": message, "ok": ok, "is_open": False, "answered": True})
    return render(request, "groups/offer_respond.html", context)

"""A test-only URLconf: a booking-style view that schedules a notification."""

from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path

from peerportal.core.models import Location
from peerportal.reminders.services import notify

from .kinds import NOTICE


def book(request, pk):
    with transaction.atomic():
        place = Location.objects.select_for_update().get(pk=pk)
        reminder = notify(kind=NOTICE, target=place, recipient=request.user)
    return JsonResponse({"reminder": reminder.pk}, status=201)


urlpatterns = [
    path("book/<int:pk>/", book, name="book"),
    path("", include("peerportal.urls")),
]

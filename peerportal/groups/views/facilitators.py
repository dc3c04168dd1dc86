"""Facilitators: their sessions, a session's roster and marking attendance."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.audit import audit_record
from peerportal.core.permissions import role_required

from .. import permissions, selectors, services
from ..exceptions import GroupsError
from ..models import Attendance


@require_GET
@role_required("staff")
def facilitator_sessions(request):
    sessions = Paginator(selectors.sessions_facilitated_by(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/facilitator_sessions.html", {"page": sessions})


@require_GET
@role_required("staff")
def session_roster(request, pk: int):
    session = selectors.facilitated_session_get(request.user, pk)
    # Who attends a support group is health information: reading a roster is audited.
    audit_record(actor=request.user, action="session.roster_read", obj=session, request=request)
    return render(
        request,
        "groups/roster.html",
        {
            "session": session,
            "roster": selectors.roster(session),
            "attendance": Attendance.choices,
            "attendance_open": session.attendance_is_open(timezone.now()),
            "show_link": permissions.can_see_link(request.user, session),
        },
    )


@require_POST
@role_required("staff")
def attendance_mark(request, pk: int):
    booking = selectors.booking_get_for_facilitator(request.user, pk)
    try:
        booking = services.attendance_mark(
            actor=request.user,
            booking=booking,
            attendance=request.POST.get("attendance", ""),
            request=request,
        )
    except GroupsError as exc:
        messages.error(request, str(exc))
        return redirect("groups:session-roster", pk=booking.session_id)
    if request.htmx:
        return render(
            request,
            "groups/_attendance_row.html",
            {"row": booking, "attendance": Attendance.choices, "attendance_open": True},
        )
    messages.success(request, _("Attendance saved."))
    return redirect("groups:session-roster", pk=booking.session_id)

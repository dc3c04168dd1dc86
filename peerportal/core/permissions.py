"""Role checks shared by views, templates and services.

Each app adds its own object checks in its ``permissions.py`` (``can_review(user, record)``);
these are the role building blocks they use. Views use ``RoleRequiredMixin`` or
``role_required``: an anonymous visitor is sent to log in, a signed-in person without the
role gets 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from peerportal.accounts.models import STAFF_ROLES, Role

MEMBER = Role.MEMBER
PEER_SPECIALIST = Role.PEER_SPECIALIST
SUPERVISOR = Role.SUPERVISOR
COORDINATOR = Role.COORDINATOR

# Who counts as what: coordinators can do what supervisors can, supervisors what staff can.
ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    "member": tuple(Role.values),  # everyone signed in can use member features
    "staff": tuple(STAFF_ROLES),
    "supervisor": (SUPERVISOR, COORDINATOR),
    "coordinator": (COORDINATOR,),
}


def has_role(user, group: str) -> bool:
    """``group`` is one of member, staff, supervisor, coordinator."""
    return bool(
        user and user.is_authenticated and user.is_active and user.role in ROLE_GROUPS[group]
    )


def is_staff_member(user) -> bool:
    return has_role(user, "staff")


def is_supervisor(user) -> bool:
    return has_role(user, "supervisor")


def is_coordinator(user) -> bool:
    return has_role(user, "coordinator")


def supervises(supervisor, person) -> bool:
    """Coordinators oversee everyone; a supervisor oversees their own team."""
    if is_coordinator(supervisor):
        return True
    return (
        is_supervisor(supervisor) and person is not None and person.supervisor_id == supervisor.pk
    )


def require_role(user, group: str) -> None:
    if not has_role(user, group):
        raise PermissionDenied


def role_required(group: str):
    """Function-view decorator: login redirect for anonymous visitors, 403 without the role."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request.user, group)
            return view(request, *args, **kwargs)

        wrapper.required_role = group
        return wrapper

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    """Class-view mixin; set ``required_role`` to member, staff, supervisor or coordinator."""

    required_role = "member"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_role(request.user, self.required_role)
        return super().dispatch(request, *args, **kwargs)

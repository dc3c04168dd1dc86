"""Who may see and do what on the warm line (built on the core role checks).

Like helpline software's programs: staff see and sign up for the lines whose program they
belong to; supervisors and coordinators see every line; coordinators run the lines.
"""

from __future__ import annotations

from peerportal.core.permissions import has_role, is_coordinator, is_supervisor, supervises


def sees_all_lines(user) -> bool:
    return is_supervisor(user)


def can_manage_lines(user) -> bool:
    return is_coordinator(user)


def can_assign(user) -> bool:
    return is_coordinator(user)


def is_program_member(user, line) -> bool:
    return line.members.filter(pk=user.pk).exists()


def can_work_on(user, line) -> bool:
    """Sign-up is restricted to the line's program members (coordinators may fill in)."""
    return has_role(user, "staff") and (is_program_member(user, line) or is_coordinator(user))


def lines_user_can_work_on(user, lines) -> set[int]:
    """``can_work_on`` for many lines at once (one query): the ids of those the user may take."""
    if not has_role(user, "staff"):
        return set()
    ids = {line.pk for line in lines}
    if is_coordinator(user):
        return ids
    return set(user.warm_lines.filter(pk__in=ids).values_list("pk", flat=True))


def can_decide_swap(user, swap) -> bool:
    """The offering person's supervisor (or a coordinator), never someone in the swap."""
    if user.pk in (swap.assignment.person_id, swap.taker_id):
        return False
    return supervises(user, swap.assignment.person)


def can_read_all_calls(user) -> bool:
    return is_supervisor(user)

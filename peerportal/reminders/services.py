"""Scheduling reminders and notifications. Call inside the cause's transaction.

Every reminder is a row first; after the transaction commits, the dispatcher is nudged
best-effort. The beat scan (every minute) is the safety net, so a broker outage delays
messages but loses none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerportal.core.prepared import PreparedInsert

from .models import Reminder, ReminderStatus
from .registry import get_kind

logger = logging.getLogger(__name__)


def _offsets_for(*, recipient, kind_code: str) -> tuple[dt.timedelta, ...]:
    """The recipient's chosen offsets for a kind, else the kind's defaults."""
    from .preferences import offsets_for  # the preference model lives beside this

    return offsets_for(recipient=recipient, kind_code=kind_code)


def _schedule(*, kind: str, target: models.Model, recipient, dues: list[dt.datetime]):
    """Rows for (kind, target, recipient) at each due time; idempotent. Three statements
    whatever the number: insert the missing ones (existing rows are left as they are), put
    cancelled ones back to pending, read them back."""
    get_kind(kind)  # unknown kinds fail loudly at the call site
    key = {
        "kind": kind,
        "target_type": ContentType.objects.get_for_model(target),
        "target_id": target.pk,
        "recipient": recipient,
    }
    Reminder.objects.bulk_create(
        [Reminder(**key, due_at=due) for due in dues], ignore_conflicts=True
    )
    Reminder.objects.filter(**key, due_at__in=dues, status=ReminderStatus.CANCELLED).update(
        status=ReminderStatus.PENDING, not_before=None, attempts=0, last_error=""
    )
    by_due = {r.due_at: r for r in Reminder.objects.filter(**key, due_at__in=dues)}
    if any(due <= timezone.now() for due in dues):
        transaction.on_commit(_nudge_dispatch)
    return [by_due[due] for due in dues]


def reminder_schedule(
    *, kind: str, target: models.Model, recipient, due_at: dt.datetime
) -> Reminder:
    """One row; idempotent for the same (kind, target, recipient, due time)."""
    return _schedule(kind=kind, target=target, recipient=recipient, dues=[due_at])[0]


def reminders_schedule_before(
    *, kind: str, target: models.Model, recipient, starts_at: dt.datetime
) -> list[Reminder]:
    """Reminders at the recipient's offsets before ``starts_at``; past ones are skipped."""
    now = timezone.now()
    dues = [
        starts_at - offset
        for offset in _offsets_for(recipient=recipient, kind_code=kind)
        if starts_at - offset > now
    ]
    if not dues:
        return []
    return _schedule(kind=kind, target=target, recipient=recipient, dues=dues)


# Its INSERT, written once per process and row count (core/prepared.py); as bulk_create
# did, ON CONFLICT DO NOTHING and no save() or signals.
_REMINDER_INSERT = PreparedInsert(Reminder, ignore_conflicts=True)


def reminders_schedule_for_new(
    *,
    target: models.Model,
    recipient,
    before: tuple[str, dt.datetime] | None = None,
    notify_kinds: tuple[str, ...] = (),
) -> None:
    """For a cause created in this very transaction (a new booking): its reminders before
    ``before = (kind, starts_at)`` at the recipient's offsets, and an immediate notification
    of each of ``notify_kinds``, in one INSERT.

    The same rows ``reminders_schedule_before`` and ``notify`` would make, without their
    revive and read-back statements: a target that did not exist before this transaction
    has no rows to revive, and nothing is returned. ``ON CONFLICT DO NOTHING`` all the same.
    """
    now = timezone.now()
    rows: list[tuple[str, dt.datetime]] = []
    if before is not None:
        kind, starts_at = before
        rows += [
            (kind, starts_at - offset)
            for offset in _offsets_for(recipient=recipient, kind_code=kind)
            if starts_at - offset > now
        ]
    rows += [(kind, now) for kind in notify_kinds]
    if not rows:
        return
    target_type = ContentType.objects.get_for_model(target)
    for kind in {kind for kind, _due in rows}:
        get_kind(kind)  # unknown kinds fail loudly at the call site
    _REMINDER_INSERT.insert(
        [
            Reminder(
                kind=kind,
                target_type=target_type,
                target_id=target.pk,
                recipient=recipient,
                due_at=due,
            )
            for kind, due in rows
        ]
    )
    if notify_kinds:
        transaction.on_commit(_nudge_dispatch)


def notify(*, kind: str, target: models.Model, recipient) -> Reminder | None:
    """An immediate notification through the outbox (sent within a minute at worst)."""
    return reminder_schedule(kind=kind, target=target, recipient=recipient, due_at=timezone.now())


def reminders_cancel_for(
    *, target: models.Model, recipient=None, kinds: list[str] | None = None
) -> int:
    """Cancel the pending reminders of a cause (a cancelled booking, a released shift)."""
    qs = Reminder.objects.for_target(target).filter(status=ReminderStatus.PENDING)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=ReminderStatus.CANCELLED)


def reminders_reschedule_for(
    *, kind: str, target: models.Model, recipient, starts_at: dt.datetime
) -> list[Reminder]:
    """The cause moved: cancel its pending reminders of ``kind`` and schedule new ones."""
    reminders_cancel_for(target=target, recipient=recipient, kinds=[kind])
    return reminders_schedule_before(
        kind=kind, target=target, recipient=recipient, starts_at=starts_at
    )


# Publishing from a web request: one connection attempt with a short timeout, no retries.
NUDGE_CONNECT_TIMEOUT = 0.5
# At most one nudge per process in this many seconds; it asks for a dispatch this much
# later, so every row committed in between is picked up by that one dispatch.
NUDGE_INTERVAL = 1.0


class _NudgeState:
    def __init__(self):
        self.lock = threading.Lock()
        self.last = float("-inf")
        # The broker connection the last nudge published on, kept for the next one: opening
        # one costs a publish 10-40 ms of CPU (the handshake, redis-py's version lookup,
        # declaring the queue), which is ten times the publish. Owned by the process that
        # opened it (a forked child opens its own).
        self.connection = None
        self.pid = 0

    def due(self) -> bool:
        """True for the first nudge of an interval (then the others are covered by it)."""
        now = time.monotonic()
        with self.lock:
            if now - self.last < NUDGE_INTERVAL:
                return False
            self.last = now
            return True

    def take_connection(self):
        """The kept connection, if this process opened it (it is then not kept any more:
        the publisher hands it back with ``keep`` once it worked)."""
        with self.lock:
            conn, self.connection = self.connection, None
            if conn is not None and self.pid != os.getpid():
                conn = None  # the parent's socket: leave it alone
            return conn

    def keep(self, conn) -> None:
        with self.lock:
            old, self.connection, self.pid = self.connection, conn, os.getpid()
        if old is not None:
            _close_quietly(old)

    def reset(self) -> None:
        with self.lock:
            self.last = float("-inf")
            conn, self.connection = self.connection, None
        if conn is not None:
            _close_quietly(conn)


def _close_quietly(conn) -> None:
    with contextlib.suppress(Exception):
        conn.release()


_nudge_state = _NudgeState()


def _nudge_dispatch() -> None:
    """Best effort: ask a worker to dispatch soon. The beat scan covers any failure.

    Never slows or fails the request: with the broker down this costs one refused (or
    ``NUDGE_CONNECT_TIMEOUT``-bounded) connection attempt. Kombu would otherwise retry the
    connection on publish even with ``retry=False``, hence the explicit connection with
    ``max_retries=0``.

    A burst of bookings publishes once per ``NUDGE_INTERVAL`` per process, not once per
    request (a broker connection per request cost a booking POST about a third of its
    time under load): the nudge asks for the dispatch ``NUDGE_INTERVAL`` later, and this
    row is already committed, so the dispatch of the nudge that covers it finds it.

    The connection is kept for the process's next nudge. If publishing on a kept one fails
    (the broker restarted meanwhile), one fresh connection is tried; a fresh one that
    fails is not retried.
    """
    from .tasks import dispatch_due_reminders

    app = dispatch_due_reminders.app
    try:
        if app.conf.task_always_eager:
            dispatch_due_reminders.apply_async()
            return
        if not _nudge_state.due():
            return
        kept = _nudge_state.take_connection()
        for conn in [kept, None] if kept is not None else [None]:
            fresh = conn is None
            if fresh:
                conn = app.connection_for_write(
                    connect_timeout=NUDGE_CONNECT_TIMEOUT,
                    transport_options=nudge_transport_options(app),
                )
            try:
                dispatch_due_reminders.apply_async(
                    connection=conn, retry=False, countdown=NUDGE_INTERVAL
                )
            except Exception:
                _close_quietly(conn)
                if fresh:
                    raise
                continue
            _nudge_state.keep(conn)
            return
    except Exception as exc:  # noqa: BLE001 — a broker outage must not fail the request
        logger.warning(
            "reminders: broker unavailable (%s); due reminders wait for the next scan",
            type(exc).__name__,
        )


def nudge_transport_options(app) -> dict:
    return {
        **(app.conf.broker_transport_options or {}),
        "max_retries": 0,
        "socket_connect_timeout": NUDGE_CONNECT_TIMEOUT,
        "socket_timeout": NUDGE_CONNECT_TIMEOUT,
    }


# --- preferences and retries -------------------------------------------------------------


def notification_preference_update(
    *,
    user,
    disabled_kinds: list[str],
    offsets: dict[str, list[int]],
    quiet_hours_start: dt.time | None,
    quiet_hours_end: dt.time | None,
):
    """Save a person's choices. Kinds that are not optional cannot be switched off; a
    reminder that is on needs at least one time (1 minute to 90 days before); quiet hours
    follow ``core.bounds.check_quiet_hours``."""
    from peerportal.core import bounds

    from .exceptions import PreferenceInvalid
    from .models import NotificationPreference
    from .registry import all_kinds

    kinds = {k.code: k for k in all_kinds()}
    optional = {code for code, k in kinds.items() if k.optional}
    with bounds.enforced(PreferenceInvalid):
        bounds.check_quiet_hours(quiet_hours_start, quiet_hours_end)
    for code, minutes in offsets.items():
        kind = kinds.get(code)
        if kind is None or not kind.default_offsets:
            raise PreferenceInvalid(_("Unknown reminder."))
        switched_off = code in disabled_kinds and kind.optional
        if not minutes and not switched_off:
            raise PreferenceInvalid(_("Tick at least one time, or switch this reminder off."))
        if any(not 1 <= int(m) <= bounds.REMINDER_OFFSET_MAX_MINUTES for m in minutes):
            raise PreferenceInvalid(_("Reminders go out between a minute and 90 days before."))
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        pref.disabled_kinds = sorted(set(disabled_kinds) & optional)
        pref.offsets = {
            code: sorted({int(m) for m in minutes}) for code, minutes in offsets.items()
        }
        pref.quiet_hours_start = quiet_hours_start
        pref.quiet_hours_end = quiet_hours_end
        pref.save()
    return pref


def notification_preference_unsubscribe(*, user, kind_code: str = "", request=None):
    """One-click unsubscribe: switch off one optional kind, or all of them (``kind_code=""``).

    Idempotent. Notices that are not optional (a cancelled session) still go out.
    """
    from peerportal.core.audit import audit_record

    from .models import NotificationPreference
    from .registry import all_kinds

    optional = {k.code for k in all_kinds() if k.optional}
    codes = {kind_code} & optional if kind_code else optional
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        pref.disabled_kinds = sorted(set(pref.disabled_kinds or []) | codes)
        pref.save(update_fields=["disabled_kinds", "updated_at"])
        audit_record(
            actor=user,
            action="reminders.unsubscribe",
            obj=pref,
            request=request,
            extra={"kinds": sorted(codes)},
        )
    return pref


def reminder_retry(*, actor, reminder: Reminder, request=None) -> Reminder:
    """A coordinator sends a failed reminder again (at once, with fresh attempts)."""
    from peerportal.core.audit import audit_record

    from .exceptions import ReminderNotFailed

    with transaction.atomic():
        updated = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.FAILED).update(
            status=ReminderStatus.PENDING,
            attempts=0,
            not_before=None,
            claimed_at=None,
            send_started_at=None,
            lease_token=None,
            lease_expires_at=None,
        )
        if updated != 1:
            raise ReminderNotFailed
        audit_record(actor=actor, action="reminders.retry", obj=reminder, request=request)
        transaction.on_commit(_nudge_dispatch)
    reminder.refresh_from_db()
    return reminder

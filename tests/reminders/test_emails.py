"""The reminder email's MIME: the same bytes as Django's, with less work per message; and what a
send batch works out once instead of per message."""

from __future__ import annotations

import datetime as dt
import email.header

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from peerportal.reminders import dispatch, emails, sending
from peerportal.reminders.emails import ReminderEmail

from .factories import ReminderFactory

START = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)

LINK = "https://portal.example.org/reminders/unsubscribe/" + "a1B2c3D4e5:" * 9 + "/"

CASES = {
    "plain": ("Notice about Harbor Room in en", "Hello,\n\nPlace: Harbor Room.\n", {}),
    "spanish": (
        "Aviso sobre la Sala Peñón — sesión mañana",
        "Hola Begoña,\n\nLugar: Sala Peñón. ¿Vienes?\n",
        {},
    ),
    "long subject": ("Notice about " + "a rather long location name " * 5, "Body.\n", {}),
    "runs of spaces": ("Notice  about   Harbor\tRoom", "Body.\n", {}),
    "long body lines": ("Notice", "x" * 1200 + "\n", {}),
    **{
        # Around the 78-character line limit: folded or not, as compat32 decides.
        f"header of {n}": ("Notice", "Body.\n", {"X-Padding": "p" * (n - len("X-Padding: "))})
        for n in range(74, 83)
    },
    "folding points": ("Notice", "Body.\n", {"X-Words": "word, other; " * 8}),
}


def _pair(
    subject, body, extra, *, attach=False, from_email="Harbor Peer Network <noreply@example.org>"
):
    kwargs = {
        "subject": subject,
        "body": body,
        "from_email": from_email,
        "to": ["Begoña Núñez <begona@example.org>"],
        "headers": {
            "List-Unsubscribe": f"<{LINK}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": "<reminder.7.1772550000@portal.example.org>",
            **extra,
        },
    }
    pair = []
    for cls in (ReminderEmail, EmailMultiAlternatives):
        message = cls(**kwargs)
        message.attach_alternative(f"<p>{body}</p>", "text/html")
        if attach:
            message.attach("visit.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        pair.append(message)
    return pair


def _bytes_of_both(ours, django_s):
    mime = ours.message()
    reference = django_s.message()
    # Django's boundaries are drawn when the bytes are generated; give it ours.
    for mine, theirs in zip(mime.walk(), reference.walk(), strict=True):
        if mine.is_multipart():
            theirs.set_boundary(mine.get_boundary())
    return mime.as_bytes(linesep="\r\n"), reference.as_bytes(linesep="\r\n")


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("attach", [False, True])
def test_a_reminder_email_is_byte_for_byte_what_django_builds(settings, case, attach):
    subject, body, extra = CASES[case]
    with time_machine.travel(START, tick=False):  # the same Date header for both
        ours, theirs = _bytes_of_both(*_pair(subject, body, extra, attach=attach))
    assert ours == theirs
    assert b"boundary=" in ours


def test_a_sender_name_with_accents_is_encoded_as_django_does(settings):
    with time_machine.travel(START, tick=False):
        ours, theirs = _bytes_of_both(
            *_pair("Notice", "Body.\n", {}, from_email="Asociación Peñón <noreply@example.org>")
        )
    assert ours == theirs and b"=?utf-8?" in ours


def test_short_plain_headers_skip_the_header_splitter(monkeypatch):
    """What makes it cheaper: only long or non-ASCII headers go through email.header."""
    folded = []
    real = email.header.Header.encode

    def counting(self, *args, **kwargs):
        folded.append(str(self))
        return real(self, *args, **kwargs)

    ours, _theirs = _pair("Notice about Harbor Room", "Body.\n", {})
    mime = ours.message()
    monkeypatch.setattr(email.header.Header, "encode", counting)
    mime.as_bytes(linesep="\r\n")
    # Only the long unsubscribe link and the multipart's Content-Type with its boundary;
    # not Subject, To, From, Date, Message-ID, MIME-Version or the parts' headers.
    assert len(folded) == 2, folded
    assert folded[0].startswith("multipart/alternative;") and folded[1] == f"<{LINK}>"


def test_a_boundary_found_in_a_part_is_drawn_again(monkeypatch):
    taken = "===============0000000000000000001=="
    drawn = iter([taken, "===============0000000000000000002=="])
    monkeypatch.setattr(emails, "_boundary", lambda: next(drawn))
    ours, _theirs = _pair("Notice", f"Quoting an old message:\n--{taken}\n", {})
    mime = ours.message()
    assert mime.get_boundary() == "===============0000000000000000002=="


@pytest.mark.django_db
def test_a_batch_signs_each_persons_link_once_per_kind(place, mailbox, monkeypatch):
    from tests.factories import UserFactory

    signed = []
    real = sending.unsubscribe_token

    def counting(**kwargs):
        signed.append(kwargs["user"].pk)
        return real(**kwargs)

    monkeypatch.setattr(sending, "unsubscribe_token", counting)
    people = UserFactory.create_batch(2)
    with time_machine.travel(START, tick=False):
        for i in range(6):
            ReminderFactory(
                target=place,
                recipient=people[i % 2],
                due_at=timezone.now() - dt.timedelta(minutes=i + 1),
            )
        ids = dispatch.claim_due(now=timezone.now(), limit=100)
        outcomes = sending.reminders_send_batch(reminder_ids=ids)
    assert set(outcomes.values()) == {"sent"} and len(mailbox) == 6
    assert sorted(signed) == sorted(p.pk for p in people)
    # Each person's messages carry their own link, the same in header and body.
    for message in mailbox:
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert link in message.body
        token = link.rstrip("/").rsplit("/", 1)[1]
        data = sending.read_unsubscribe_token(token)
        assert data["u"] == next(p.pk for p in people if p.email == message.to[0])


class _CountingCache:
    def __init__(self, real, key):
        self.real, self.key, self.reads = real, key, 0

    def get(self, key, *args, **kwargs):
        self.reads += key == self.key
        return self.real.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.django_db
def test_a_batch_loads_each_template_and_the_organization_once(place, mailbox, monkeypatch):
    from peerportal.core import models as core_models

    loaded = []
    real_template = sending.get_template
    monkeypatch.setattr(
        sending, "get_template", lambda name: loaded.append(name) or real_template(name)
    )
    with time_machine.travel(START, tick=False):
        ReminderFactory.create_batch(5, target=place)
        ids = dispatch.claim_due(now=timezone.now(), limit=100)
        counting = _CountingCache(core_models.cache, core_models.ORGANIZATION_CACHE_KEY)
        monkeypatch.setattr(core_models, "cache", counting)
        sending.reminders_send_batch(reminder_ids=ids)
    assert len(mailbox) == 5
    assert len(loaded) == 3  # subject, text and html of the one kind
    # Once for the batch (sender, greeting, time zones), not three times per message.
    assert counting.reads == 1

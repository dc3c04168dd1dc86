"""A real SMTP server on 127.0.0.1 for the reminder tests (aiosmtpd), on a free port."""

from __future__ import annotations

import contextlib
import socket


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server(handler):
    """Run an aiosmtpd server with ``handler`` (its ``handle_DATA`` answers each message);
    yields its port and stops it on the way out."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()

"""A real SMTP server on 127.0.0.1 for the reminder tests (aiosmtpd), on a free port."""

from __future__ import annotations

import contextlib
import socket


@contextlib.contextmanager
def smtp_server(handler):
    """Run an aiosmtpd server with ``handler`` (its ``handle_DATA`` answers each message);
    yields its port and stops it on the way out."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()

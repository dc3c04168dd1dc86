"""The environment of a production process, for tests that start one (settings checks)."""

from __future__ import annotations

import os

PRODUCTION_SECRET_KEY = "a-long-random-production-secret-" + "x7Qp2vL9mZ4kR8sT1wY6uB3nC5hJ0dFgA"


def production_env(tmp_path, *, drop=("DJANGO_ALLOW_ASYNC_UNSAFE",), **values) -> dict:
    """This process's environment without ``drop``, with production settings (debug off)
    and ``values`` on top; its files go under ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="peerportal.settings",
        PEERPORTAL_VAR_DIR=str(tmp_path),
        **values,
    )
    return env

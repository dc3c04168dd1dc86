"""Locust scenarios for `make bench`. Driven by bench/load.py, which writes the plan file.

BENCH_PLAN_FILE names a JSON file: {"path": "/groups/", "cookies": [{"sessionid": ...}, ...],
                    "method": "GET" | "POST", "data": {...} | null}
One run measures one target, so each page's numbers stand alone.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from locust import HttpUser, constant, task

# A file, not an environment variable: a plan with thousands of session cookies is
# larger than one environment string may be.
PLAN = json.loads(Path(os.environ["BENCH_PLAN_FILE"]).read_text())
_cookies = itertools.cycle(PLAN.get("cookies") or [{}])


class PortalUser(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        cookies = next(_cookies)
        for name, value in cookies.items():
            self.client.cookies.set(name, value)
        self.csrf = cookies.get("csrftoken", "")

    @task
    def hit(self):
        if PLAN.get("method") == "POST":
            path = PLAN["path"]
            if PLAN.get("rotate"):
                # Many members booking, one request each: per-account rate limits (30 a
                # minute) protect the real site and would otherwise turn into 429s here.
                self.client.cookies.clear()
                self.on_start()
            self.client.post(
                path,
                data=PLAN.get("data") or {},
                headers={"X-CSRFToken": self.csrf, "Referer": self.host + path},
                name=PLAN["label"],
                # The booking answer itself (a redirect); the group page it points to is
                # measured on its own ("group page").
                allow_redirects=False,
            )
        else:
            self.client.get(PLAN["path"], name=PLAN["label"])

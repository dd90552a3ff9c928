"""gunicorn settings for the stack (`make run-stack`, and the web load test).

The app is loaded, and the candidate pool built (agency/services/warmup.py), once in the master
before it forks: every worker starts with the pool (shared copy-on-write) instead of making its
first request wait for a build of ~16 s at 100,000 candidates, and a worker gunicorn replaces
starts warm too.
"""

from __future__ import annotations

import os
from typing import Any

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
# One sync worker per core (bench/README.md has the measurement).
workers = int(os.environ.get("WEB_WORKERS", str(os.cpu_count() or 2)))
preload_app = True
# A worker pointed at another database still rebuilds its pool on its first request.
timeout = 120
# No gunicorn access log: the app writes one line per request itself, with the request id, the
# user and the duration (agency/logs.py), when it is served from agency.wsgi:app.
accesslog = None


def when_ready(server: Any) -> None:
    """Runs in the master after the app is loaded and before any worker is forked."""
    from agency.services import warmup

    warmup.warm_before_fork(server.app.wsgi(), server.log, "workers")

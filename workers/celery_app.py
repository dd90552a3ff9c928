"""Celery wired the Flask way: every task runs inside an application context."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task
from flask import Flask

from agency.services import outbox
from workers import embedded_broker

# Redis hides a taken message for this long before handing it to another worker, so a SIGKILLed
# worker's task comes back in about a minute, not kombu's default hour.
REDIS_VISIBILITY_TIMEOUT = 60


def celery_settings(app: Flask) -> dict[str, Any]:
    """The app's CELERY settings with the transport options the chosen broker understands."""
    settings = dict(app.config["CELERY"])
    broker = str(settings.get("broker_url", ""))
    queue = os.environ.get("CELERY_DEFAULT_QUEUE") or settings.get("task_default_queue")
    if queue:
        # Tests and benchmarks use a queue of their own on a shared Redis.
        settings["task_default_queue"] = queue
    if broker.startswith("sqla+"):
        embedded_broker.register()
        # kombu hands these options to create_engine(), which rejects visibility_timeout;
        # a longer SQLite busy wait keeps the web process and the worker from "database locked".
        settings["broker_transport_options"] = {"connect_args": {"timeout": 30}}
        settings.pop("result_backend_transport_options", None)
        settings.pop("visibility_timeout", None)
        # The SQL transport has no broadcast exchange; remote control would only log errors.
        settings["worker_enable_remote_control"] = False
    elif broker.startswith(("redis://", "rediss://")):
        # Celery reads the visibility timeout in three places on Redis; keep them equal.
        options = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
        settings["broker_transport_options"] = {
            **settings.get("broker_transport_options", {}),
            **options,
        }
        settings["result_backend_transport_options"] = {
            **settings.get("result_backend_transport_options", {}),
            **options,
        }
        settings["visibility_timeout"] = REDIS_VISIBILITY_TIMEOUT
    return settings


# Outbox timing (seconds) a deployment or a fault test may tune from the environment.
OUTBOX_KNOBS = (
    "OUTBOX_LEASE_SECONDS",
    "OUTBOX_RETRY_BASE_SECONDS",
    "OUTBOX_RETRY_MAX_SECONDS",
    "OUTBOX_SWEEP_SECONDS",
    "OUTBOX_SWEEP_GRACE_SECONDS",
    "OUTBOX_REENQUEUE_SECONDS",
    "OUTBOX_BATCH_SIZE",
    "OUTBOX_BATCH_SECONDS",
)


def _outbox_knobs(app: Flask) -> None:
    for key in OUTBOX_KNOBS:
        if os.environ.get(key):
            app.config.setdefault(key, float(os.environ[key]))


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for this Flask app and register the outbox enqueue seam."""
    _outbox_knobs(app)

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    from workers import schedule, tasks

    schedule.configure(celery_app, float(app.config.get("OUTBOX_SWEEP_SECONDS", 30)))
    tasks.register(celery_app)

    def enqueue(ids: list[int]) -> None:
        # A short retry: when the broker is down the request should not hang; the sweep delivers.
        # One task per chunk: a commit that staged many messages (a broadcast) is shared out.
        for start in range(0, len(ids), tasks.ENQUEUE_CHUNK):
            celery_app.send_task(
                "workers.deliver_outbox_messages",
                args=[ids[start : start + tasks.ENQUEUE_CHUNK]],
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
            )

    def broker_check() -> str:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return str(conn.transport_cls)

    outbox.set_enqueuer(app, enqueue)
    app.extensions["broker_check"] = broker_check
    return celery_app

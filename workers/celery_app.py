"""Celery wired the Flask way: every task runs inside an application context."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from agency.services import outbox


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    from workers import schedule, tasks

    schedule.configure(celery_app)
    tasks.register(celery_app)

    def enqueue(ids: list[int]) -> None:
        for message_id in ids:
            celery_app.send_task("workers.deliver_outbox_message", args=[message_id])

    def broker_check() -> str:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return str(conn.transport_cls)

    outbox.set_enqueuer(app, enqueue)
    app.extensions["broker_check"] = broker_check
    return celery_app

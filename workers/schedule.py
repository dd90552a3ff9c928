"""The beat schedule: periodic scans instead of far-future ETA tasks."""

from __future__ import annotations

from celery import Celery


def configure(celery_app: Celery) -> None:
    celery_app.conf.beat_schedule = {
        "sweep-outbox": {"task": "workers.sweep_outbox", "schedule": 30.0},
    }

"""The beat schedule: periodic scans of the database instead of far-future ETA tasks."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

SWEEP_SECONDS = 30.0


def configure(celery_app: Celery, sweep_seconds: float = SWEEP_SECONDS) -> None:
    """Set the beat schedule; the sweep interval bounds how late a lost message can be."""
    celery_app.conf.beat_schedule = {
        "sweep-outbox": {"task": "workers.sweep_outbox", "schedule": sweep_seconds},
        # Hourly although daily would do: a scan is idempotent and a missed hour costs nothing.
        "credential-reminders": {
            "task": "workers.credential_reminders",
            "schedule": crontab(minute=15),
        },
        # Every 5 minutes: a "2 hours before" reminder should not arrive an hour late.
        "interview-reminders": {
            "task": "workers.interview_reminders",
            "schedule": crontab(minute="*/5"),
        },
        # Every 10 minutes: the 2-hour reminder goes out 1h50 to 2h before; each scan is
        # idempotent (stamps on the booking and the outbox's dedupe keys).
        "shift-scans": {"task": "workers.shift_scans", "schedule": 600.0},
        # Drafts invoices for billing periods that ended (rebuilt if they exist): staff check and
        # issue them in the morning. Idempotent, so a missed or doubled run costs nothing.
        "draft-invoices": {"task": "workers.draft_invoices", "schedule": crontab(hour=5, minute=0)},
        "daily-digest": {"task": "workers.daily_digest", "schedule": crontab(hour=7, minute=0)},
        # Daily; a second run the same day sends nothing (one e-mail per owner per day).
        "saved-search-alerts": {
            "task": "workers.saved_search_alerts",
            "schedule": crontab(hour=7, minute=10),
        },
        "retention-cleanup": {
            "task": "workers.retention_cleanup",
            "schedule": crontab(hour=3, minute=30),
        },
        "retrain-ranker": {
            "task": "workers.retrain_ranker",
            "schedule": crontab(hour=2, minute=0, day_of_week="sunday"),
        },
    }

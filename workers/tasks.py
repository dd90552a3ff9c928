"""Thin task adapters: take ids, run one service function, safe to run twice."""

from __future__ import annotations

import functools

from celery import Celery

from agency.extensions import db
from agency.models import utcnow
from agency.services import (
    delivery,
    digest,
    interviews,
    invoicing,
    outbox,
    ranker,
    reminders,
    retention,
    saved_searches,
    shifts,
    timesheets,
)
from workers import housekeeping

# Below the outbox lease (30 s), so a slow send is killed before another worker may claim it.
DELIVERY_SOFT_LIMIT, DELIVERY_HARD_LIMIT = 20, 25
# Ids per delivery task: a broadcast of 300 becomes 15 tasks the workers share, each one batch.
ENQUEUE_CHUNK = delivery.BATCH_SIZE


def register(celery_app: Celery) -> None:
    """Define the tasks on this Celery app (names are stable: the broker stores them)."""
    # Not shared: each Flask app (one per test) gets its own tasks bound to its own context.
    task = functools.partial(celery_app.task, shared=False)

    @task(
        name="workers.deliver_outbox_message",
        acks_late=True,
        reject_on_worker_lost=True,
        soft_time_limit=DELIVERY_SOFT_LIMIT,
        time_limit=DELIVERY_HARD_LIMIT,
    )
    def deliver_outbox_message(message_id: int) -> None:
        # Kept for messages already queued under this name; new ones are sent in batches.
        deliver_outbox_messages(message_ids=[message_id])

    @task(
        name="workers.deliver_outbox_messages",
        acks_late=True,
        reject_on_worker_lost=True,
        soft_time_limit=DELIVERY_SOFT_LIMIT,
        time_limit=DELIVERY_HARD_LIMIT,
    )
    def deliver_outbox_messages(message_ids: list[int]) -> None:
        handed_back = delivery.deliver_many(message_ids)
        if handed_back:  # the batch ran out of time: another task takes the rest now
            deliver_outbox_messages.delay(handed_back)

    @task(name="workers.sweep_outbox", acks_late=True)
    def sweep_outbox() -> None:
        ids = delivery.sweep()
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            deliver_outbox_messages.delay(ids[start : start + ENQUEUE_CHUNK])

    @task(name="workers.credential_reminders", acks_late=True)
    def credential_reminders() -> None:
        reminders.stage_credential_reminders()

    @task(name="workers.interview_reminders", acks_late=True)
    def interview_reminders() -> None:
        interviews.stage_reminders()

    @task(name="workers.shift_scans", acks_late=True)
    def shift_scans() -> None:
        shifts.stage_reminders()
        shifts.alert_unfilled()
        shifts.ask_attendance()
        timesheets.stage_reminders()

    @task(name="workers.draft_invoices", acks_late=True)
    def draft_invoices() -> None:
        invoicing.draft_due()
        db.session.commit()

    @task(name="workers.daily_digest", acks_late=True)
    def daily_digest() -> None:
        digest.stage_daily_digest()

    @task(name="workers.saved_search_alerts", acks_late=True)
    def saved_search_alerts() -> None:
        saved_searches.stage_daily_alerts()

    @task(name="workers.retention_cleanup", acks_late=True)
    def retention_cleanup() -> None:
        retention.purge()
        housekeeping.purge_taken_sql_messages(str(celery_app.conf.broker_url))

    @task(name="workers.retrain_ranker", acks_late=True)
    def retrain_ranker() -> None:
        # Through the outbox, as the staff button does: one path, retried, visible to staff.
        week = utcnow().strftime("%G-W%V")
        outbox.add(ranker.RETRAIN_KIND, {}, dedupe_key=f"retrain:weekly:{week}")
        db.session.commit()

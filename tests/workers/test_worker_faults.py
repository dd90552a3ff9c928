"""Fault injection with real parts: Celery worker processes, Redis and an SMTP server.

Assertions are on what the SMTP server accepted: every committed message arrives, once.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow
from agency.services import delivery
from tests.workers.conftest import SmtpServer, Workers, wait_for
from tests.workers.helpers import all_messages, message, stage_email
from workers import housekeeping

# Fast sweeping for the tests; production sweeps every 30 s (see test_production_timing).
FAST_SWEEP = {"OUTBOX_SWEEP_SECONDS": 1, "OUTBOX_SWEEP_GRACE_SECONDS": 1}


def arrived(smtp: SmtpServer, keys: set[str]) -> bool:
    return keys <= set(smtp.sink.keys())


def test_production_timing_redelivers_within_a_minute(app) -> None:
    from workers import schedule, tasks
    from workers.celery_app import REDIS_VISIBILITY_TIMEOUT

    # A dead worker's claim runs out after the lease; the next sweep re-enqueues it.
    lease = delivery.lease().total_seconds()
    assert lease + schedule.SWEEP_SECONDS <= 60
    # A message whose enqueue was lost waits out the grace, then the next sweep takes it.
    assert delivery.SWEEP_GRACE_SECONDS + schedule.SWEEP_SECONDS <= 60
    # A slow send is killed before its lease ends, so no second worker can claim it meanwhile.
    assert lease > tasks.DELIVERY_HARD_LIMIT
    assert REDIS_VISIBILITY_TIMEOUT <= 60
    conf = app.extensions["celery"].conf
    assert conf.broker_transport_options["visibility_timeout"] == REDIS_VISIBILITY_TIMEOUT
    assert conf.result_backend_transport_options["visibility_timeout"] == REDIS_VISIBILITY_TIMEOUT
    assert conf.visibility_timeout == REDIS_VISIBILITY_TIMEOUT
    assert conf.task_serializer == "json" and conf.task_ignore_result is True
    assert conf.worker_prefetch_multiplier == 1
    for name in ("workers.deliver_outbox_message", "workers.deliver_outbox_messages"):
        task = app.extensions["celery"].tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
        assert task.time_limit == tasks.DELIVERY_HARD_LIMIT
    # A batch starts its last message early enough that the hard limit ends it inside the lease.
    assert delivery.BATCH_SECONDS < tasks.DELIVERY_SOFT_LIMIT < tasks.DELIVERY_HARD_LIMIT < lease


def test_committed_sends_exactly_one_and_rolled_back_sends_none(
    app, smtp: SmtpServer, workers: Workers
) -> None:
    workers.start("w1")
    stage_email("rolled-back")
    db.session.rollback()
    stage_email("committed")
    db.session.commit()
    wait_for(lambda: arrived(smtp, {"committed"}), 30, "the committed message")
    # The worker handles one task at a time in order: anything before it is done too.
    wait_for(lambda: message("committed").status == OutboxStatus.SENT, 10, "sent mark")
    assert smtp.sink.keys() == {"committed": 1}
    assert smtp.sink.tries == {"committed": 1}
    assert [m.dedupe_key for m in all_messages()] == ["committed"]


@pytest.mark.slow
def test_worker_killed_mid_delivery_still_delivers_once_within_a_minute(
    app, smtp: SmtpServer, workers: Workers
) -> None:
    victim = workers.start("victim", OUTBOX_LEASE_SECONDS=10)
    smtp.sink.stall_key = "kill-me"
    stage_email("kill-me")
    stage_email("bystander")
    db.session.commit()
    wait_for(smtp.sink.stalled.is_set, 30, "the worker to be in the middle of the SMTP exchange")
    victim.kill()
    killed_at = time.time()
    workers.start("rescuer", beat=True, **FAST_SWEEP)
    wait_for(lambda: arrived(smtp, {"kill-me", "bystander"}), 60, "both messages after the kill")
    assert smtp.sink.accepted_at["kill-me"] - killed_at < 60
    wait_for(lambda: all(m.status == OutboxStatus.SENT for m in all_messages()), 15, "sent marks")
    assert smtp.sink.keys() == {"kill-me": 1, "bystander": 1}
    assert smtp.sink.tries["kill-me"] == 2  # the killed attempt was never accepted


@pytest.mark.slow
def test_smtp_down_retries_with_backoff_then_delivers(
    app, smtp: SmtpServer, workers: Workers
) -> None:
    smtp.stop()
    workers.start("w1", beat=True, **FAST_SWEEP)
    stage_email("smtp-down")
    db.session.commit()

    def failed_thrice() -> bool:
        row = message("smtp-down")
        return row.attempts >= 3 and row.status == OutboxStatus.PENDING

    wait_for(failed_thrice, 60, "three failed attempts, waiting for the next")
    row = message("smtp-down")
    assert "Connection" in row.last_error
    smtp.start()
    wait_for(lambda: arrived(smtp, {"smtp-down"}), 60, "delivery after the server returned")
    wait_for(lambda: message("smtp-down").status == OutboxStatus.SENT, 10, "sent mark")
    assert smtp.sink.keys() == {"smtp-down": 1}
    assert message("smtp-down").attempts >= 4


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL (FOR UPDATE SKIP LOCKED claiming): set TEST_DATABASE_URL; CI does",
)
def test_two_workers_sweeping_at_once_send_nothing_twice(
    app, smtp: SmtpServer, workers: Workers
) -> None:
    app.config["OUTBOX_ENQUEUE_AFTER_COMMIT"] = False  # only the sweeps enqueue
    keys = {f"swept-{n}" for n in range(150)}
    for key in sorted(keys):
        stage_email(key)
    db.session.commit()
    long_ago = utcnow() - timedelta(minutes=5)
    for row in all_messages():
        row.created_at = row.next_attempt_at = long_ago
    db.session.commit()
    workers.start("a", concurrency=2)
    workers.start("b", concurrency=2)
    celery = app.extensions["celery"]
    for _ in range(8):
        celery.send_task("workers.sweep_outbox")
    # Duplicate deliveries too, as a redelivered or re-swept task would make.
    for row in all_messages():
        celery.send_task("workers.deliver_outbox_message", args=[row.id])
    wait_for(lambda: arrived(smtp, keys), 90, "every swept message")

    def settled() -> bool:
        db.session.expire_all()
        return not db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status != OutboxStatus.SENT)
        )

    wait_for(settled, 30, "every row marked sent")
    assert set(smtp.sink.keys().values()) == {1}
    assert sum(smtp.sink.tries.values()) == 150
    assert {m.attempts for m in all_messages()} == {1}


@pytest.mark.slow
def test_the_embedded_sqlite_broker_delivers(
    app, smtp: SmtpServer, workers: Workers, backend: str, tmp_path
) -> None:
    if backend != "sqlite":
        pytest.skip("the embedded setup (`make run`) is SQLite for both database and broker")
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    app.config["CELERY"]["broker_url"] = broker
    from workers.celery_app import celery_init_app

    celery_init_app(app)  # the test process enqueues through the SQLite broker too
    workers.config = {**workers.config, "CELERY": dict(app.config["CELERY"])}
    workers.start("embedded", beat=True, **FAST_SWEEP)
    stage_email("embedded")
    db.session.commit()
    wait_for(lambda: arrived(smtp, {"embedded"}), 30, "delivery through the SQLite broker")
    assert smtp.sink.keys() == {"embedded": 1}
    # kombu leaves taken rows behind; the daily clean-up removes them once they are old.
    later = datetime.now() + timedelta(hours=2)
    assert housekeeping.purge_taken_sql_messages(broker, now=later) >= 1

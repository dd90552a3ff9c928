"""Bare Celery for bench_outbox.py: one task that does nothing but note when it ran.

The yardstick for the outbox's delivery rate: the same broker, worker count, concurrency and
task settings (JSON, acks late, prefetch 1, results ignored), no Flask, no database, no SMTP.
Each task appends its finish time to a Redis list (one round trip), so the benchmark can time
the middle of the run as it does for the e-mails.

    celery -A bench.noop_app worker ...   (NOOP_BROKER_URL, NOOP_TIMES_URL, NOOP_TIMES_KEY)
"""

from __future__ import annotations

import os
import time

import redis
from celery import Celery

app = Celery("noop", broker=os.environ.get("NOOP_BROKER_URL", "redis://127.0.0.1:6379/14"))
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_enable_remote_control=False,
)
if app.conf.broker_url.startswith("sqla+"):
    from workers import embedded_broker

    embedded_broker.register()  # the same tuned SQLite transport `make run` uses

_times = redis.Redis.from_url(os.environ.get("NOOP_TIMES_URL", "redis://127.0.0.1:6379/14"))
_key = os.environ.get("NOOP_TIMES_KEY", "bench-noop-times")


@app.task(name="bench.noop")
def noop(_n: int) -> None:
    _times.rpush(_key, time.time())

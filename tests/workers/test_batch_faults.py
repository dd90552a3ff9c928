"""Batches with real workers: a broadcast arrives once each, and a worker killed mid-batch (with
its SMTP connection open) loses nothing and repeats nothing it had marked sent."""

from __future__ import annotations

import time

import pytest

from agency.extensions import db
from agency.models import OutboxStatus
from agency.services import outbox
from tests.workers.conftest import SmtpServer, Workers, wait_for
from tests.workers.helpers import all_messages, message
from tests.workers.test_worker_faults import FAST_SWEEP, arrived


def stage_broadcast(keys: list[str]) -> None:
    """One commit, many recipients: a shift offered to everyone who fits it."""
    context = {"reset_url": "http://127.0.0.1:5000/shift/1", "minutes": 60}
    outbox.email_many(
        "password_reset", [(f"{k}@example.com", context, k) for k in keys], essential=True
    )
    db.session.commit()


@pytest.mark.slow
def test_a_broadcast_of_300_arrives_exactly_once(app, smtp: SmtpServer, workers: Workers) -> None:
    workers.start("a", concurrency=2)
    workers.start("b", concurrency=2)
    keys = [f"offer-{n:03}" for n in range(300)]
    stage_broadcast(keys)
    wait_for(lambda: arrived(smtp, set(keys)), 90, "all 300 offers")

    def settled() -> bool:
        return all(m.status == OutboxStatus.SENT for m in all_messages())

    wait_for(settled, 30, "every row marked sent")
    assert smtp.sink.keys() == dict.fromkeys(keys, 1)
    assert sum(smtp.sink.tries.values()) == 300
    assert {m.attempts for m in all_messages()} == {1}
    # Shared out: more than one worker process sent them, each over few connections.
    assert 1 < len({peer for k in keys for peer in smtp.sink.peers[k]}) < 300


@pytest.mark.slow
def test_worker_killed_with_its_smtp_connection_open_mid_batch(
    app, smtp: SmtpServer, workers: Workers
) -> None:
    victim = workers.start("victim", OUTBOX_LEASE_SECONDS=10)
    keys = [f"mid-{n}" for n in range(10)]
    smtp.sink.stall_key = "mid-5"
    stage_broadcast(keys)  # one task carries all ten: one batch for the victim
    wait_for(smtp.sink.stalled.is_set, 30, "the worker to be inside the batch's sixth message")
    before, stalled = keys[:5], keys[5]
    # The five before it went over the same connection that is open now ...
    assert len({peer for k in [*before, stalled] for peer in smtp.sink.peers[k]}) == 1
    # ... and each was marked sent within milliseconds of its acceptance (marks share a commit
    # for at most sent_marks.GATHER_SECONDS), without waiting for the stalled send after them.
    wait_for(lambda: all(message(k).status == OutboxStatus.SENT for k in before), 1, "marks")
    victim.kill()
    killed_at = time.time()
    workers.start("rescuer", beat=True, **FAST_SWEEP)
    wait_for(lambda: arrived(smtp, set(keys)), 60, "the whole batch after the kill")
    assert smtp.sink.accepted_at[stalled] - killed_at < 60
    wait_for(lambda: all(m.status == OutboxStatus.SENT for m in all_messages()), 15, "sent marks")
    assert smtp.sink.keys() == dict.fromkeys(keys, 1)
    assert smtp.sink.tries[stalled] == 2  # the killed attempt was never accepted
    assert all(smtp.sink.tries[k] == 1 for k in keys if k != stalled)

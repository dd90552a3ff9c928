"""Redis restarted (append-only persistence) while messages are queued: none is lost."""

from __future__ import annotations

import pytest
import redis

from agency.extensions import db
from tests.workers.conftest import PrivateRedis, SmtpServer, Workers, wait_for
from tests.workers.helpers import stage_email
from tests.workers.test_worker_faults import FAST_SWEEP, arrived


@pytest.fixture
def broker_url(private_redis: PrivateRedis) -> str:
    return private_redis.url


@pytest.mark.slow
def test_redis_restart_loses_no_queued_message(
    app, smtp: SmtpServer, workers: Workers, private_redis: PrivateRedis, queue_name: str
) -> None:
    keys = {f"queued-{n}" for n in range(20)}
    for key in sorted(keys):
        stage_email(key)
    db.session.commit()  # enqueued into Redis after the commit; no worker is running yet
    queue = redis.Redis.from_url(private_redis.url)
    assert queue.llen(queue_name) == 1  # one delivery task carries the commit's 20 ids
    private_redis.kill()
    private_redis.start()
    assert queue.llen(queue_name) == 1  # the append-only file kept it

    # No beat: only the tasks Redis kept can deliver these.
    workers.start("w1", concurrency=2)
    wait_for(lambda: arrived(smtp, keys), 60, "every queued message after the restart")

    # Redis down while a request commits: the request succeeds, the sweep delivers later.
    private_redis.kill()
    stage_email("while-down")
    db.session.commit()
    private_redis.start()
    workers.start("sweeper", beat=True, **FAST_SWEEP)
    wait_for(
        lambda: arrived(smtp, {"while-down"}), 60, "the message committed while Redis was down"
    )
    assert set(smtp.sink.keys().values()) == {1}
    assert len(smtp.sink.keys()) == 21

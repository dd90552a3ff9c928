"""Outbox benchmark: notifications through real workers to an SMTP sink, beside bare Celery.

For the stack (PostgreSQL + Redis + two workers + beat) and the embedded setup (SQLite database
and SQLite broker, one worker with beat, as `make run` starts them), in one run:
1. backlog: N e-mails committed one per transaction before the workers start; the steady rate
   at which the workers drain them, and the same for N bare Celery no-op tasks (bench/noop_app.py,
   same broker and worker layout), and the ratio of the two;
2. live: N more committed by one producer flat out (or at --rate) while the workers run:
   delivered/s and the p50/p95 delay from commit to SMTP acceptance, as before;
3. broadcast: one commit that stages --broadcast messages: first and last acceptance;
and, over all of them, the width of the at-least-once window (SMTP acceptance -> row marked
sent), lost and duplicated counts.

    .venv/bin/python bench/bench_outbox.py [--n 10000] [--setup stack|embedded|both] [--rate R]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinicmatch_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


# The key's header line; the sink reads only this instead of parsing every message's headers.
OUTBOX_KEY = re.compile(rb"^X-Outbox-Key: ([^\r\n]*)\r?$", re.MULTILINE)


class Sink:
    """Records when each outbox key was accepted (first time) and how often.

    A real SMTP server (aiosmtpd), advertising PIPELINING as Postfix and the big providers do
    (aiosmtpd reads commands in order from its stream, so pipelined ones work already).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_at: dict[str, float] = {}
        self.count: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        head = envelope.content.partition(b"\r\n\r\n")[0]
        found = OUTBOX_KEY.search(head)
        key = found.group(1).decode() if found else "None"
        with self.lock:
            self.count[key] += 1
            self.first_at.setdefault(key, now)
        return "250 OK"

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_pg_database(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if (
            conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": parsed.database}
            ).first()
            is None
        ):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


def start_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_ready(log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start; see {log}")
        time.sleep(0.2)


def start_workers(
    app_module: str,
    specs: list[tuple[str, int]],
    queue: str,
    env: dict[str, str],
    tmp: Path,
    extra: list[str] | None = None,
) -> list[subprocess.Popen[bytes]]:
    """Start every worker at once, then wait until all are ready (they drain together)."""
    procs, logs = [], []
    for name, concurrency in specs:
        log = tmp / f"{app_module}-{name}-{uuid.uuid4().hex[:4]}.log"
        log.write_text("")
        args = [
            sys.executable, "-m", "celery", "-A", app_module, "worker",
            f"--concurrency={concurrency}", f"--hostname={name}@%h", "--without-mingle",
            "--without-gossip", "--loglevel=INFO", "-Q", queue, f"--logfile={log}", *(extra or []),
        ]  # fmt: skip
        procs.append(start_process(args, env, log))
        logs.append(log)
    for log in logs:
        wait_ready(log)
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def middle_rate(times: list[float]) -> float:
    """Messages per second between the 10th and the 90th percentile of the finish times: the
    steady rate, without the workers' start-up and the last stragglers."""
    times = sorted(times)
    lo, hi = int(0.1 * (len(times) - 1)), int(0.9 * (len(times) - 1))
    return (hi - lo) / (times[hi] - times[lo]) if hi > lo and times[hi] > times[lo] else 0.0


def wait_delivered(sink: Sink, keys: list[str], stall: float = 120) -> None:
    last_seen, last_count = time.time(), -1
    while True:
        with sink.lock:
            count = sum(1 for k in keys if k in sink.first_at)
        if count == len(keys):
            return
        if count != last_count:
            last_count, last_seen = count, time.time()
        elif time.time() - last_seen > stall:  # two sweeps and a lease with no progress
            return
        time.sleep(0.2)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else float("nan")


def stage_one_per_commit(
    app: Any, prefix: str, n: int, rate: float = 0
) -> tuple[dict[str, float], float, float]:
    from agency.extensions import db
    from agency.services import outbox

    committed: dict[str, float] = {}
    started = time.time()
    with app.app_context():
        for i in range(n):
            if rate:  # an offered load below capacity shows delay without a backlog
                time.sleep(max(0.0, started + i / rate - time.time()))
            key = f"{prefix}-{i}"
            outbox.email(
                "password_reset",
                f"user{i}@bench.test",
                {"reset_url": f"http://x/reset/{i}", "minutes": 60},
                key,
                essential=True,
            )
            db.session.commit()
            committed[key] = time.time()
    return committed, started, time.time() - started


def run_noop(setup: str, n: int, broker: str, specs: list[tuple[str, int]], tmp: Path) -> float:
    """Bare Celery no-op tasks through the same broker and worker layout: the steady rate."""
    import redis
    from celery import Celery

    queue = f"bench-noop-{uuid.uuid4().hex[:8]}"
    times_key = f"{queue}-times"
    times = redis.Redis.from_url(REDIS_URL)
    env = {**os.environ, "NOOP_BROKER_URL": broker, "NOOP_TIMES_URL": REDIS_URL,
           "NOOP_TIMES_KEY": times_key}  # fmt: skip
    if broker.startswith("sqla+"):
        from workers import embedded_broker

        embedded_broker.register()
    client = Celery("noop-client", broker=broker)
    client.conf.update(task_serializer="json", task_default_queue=queue)
    with client.producer_or_acquire() as producer:
        for i in range(n):  # queued before the workers start, as the outbox backlog is
            client.send_task("bench.noop", args=[i], queue=queue, producer=producer)
    procs = start_workers("bench.noop_app", specs, queue, env, tmp)
    try:
        deadline = time.time() + 600
        while times.llen(times_key) < n and time.time() < deadline:
            time.sleep(0.2)
        return middle_rate([float(t) for t in times.lrange(times_key, 0, -1)])
    finally:
        stop(procs)
        times.delete(times_key, queue)


def run(setup: str, n: int, tmp: Path, rate: float = 0, broadcast: int = 300) -> dict[str, Any]:
    from agency import create_app
    from agency.extensions import db
    from agency.models import OutboxMessage
    from agency.services import outbox

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    if setup == "stack":
        database, broker, worker_specs = (
            ensure_pg_database(PG_URL),
            REDIS_URL,
            [("w1", 2), ("w2", 2)],
        )
    else:
        database = f"sqlite:///{tmp / 'embedded.sqlite'}"
        broker = f"sqla+sqlite:///{tmp / 'broker.sqlite'}"
        worker_specs = [("embedded", int(os.environ.get("WORKER_CONCURRENCY", "2")))]
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    config = {
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database,
        "INSTANCE_PATH": str(tmp / setup), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
        "OUTBOX_ENQUEUE_AFTER_COMMIT": True,
    }  # fmt: skip
    env = {
        **os.environ, "DATABASE_URL": database, "CELERY_BROKER_URL": broker,
        "CELERY_DEFAULT_QUEUE": queue, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "bench", "OUTBOX_ENQUEUE_AFTER_COMMIT": "1",
    }  # fmt: skip
    env.pop("REDIS_URL", None)
    os.environ["CELERY_BROKER_URL"], os.environ["CELERY_DEFAULT_QUEUE"] = broker, queue
    app = create_app(config)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    procs: list[subprocess.Popen[bytes]] = []
    result: dict[str, Any] = {"setup": setup, "n": n,
                              "workers": "+".join(f"{w}x{c}" for w, c in worker_specs)}  # fmt: skip
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
        worker_args = (
            ["--beat", f"--schedule={tmp / 'beat-embedded'}"] if setup == "embedded" else []
        )

        # 1. Backlog: N messages committed (one transaction each) before any worker runs; the
        # workers then drain it. The steady delivery rate, as the no-op tasks' below.
        drained, _, staging = stage_one_per_commit(app, f"{queue}-backlog", n)
        result["commit_rate"] = n / staging
        procs += start_workers("workers.app", worker_specs, queue, env, tmp, worker_args)
        if setup == "stack":
            procs.append(start_process([sys.executable, "-m", "celery", "-A", "workers.app",
                                        "beat", f"--schedule={tmp / 'beat-stack'}"],
                                       env, tmp / "stack-beat.log"))  # fmt: skip
        wait_delivered(sink, list(drained))
        result["drain_rate"] = middle_rate(
            [sink.first_at[k] for k in drained if k in sink.first_at]
        )

        # 2. Flat out (or at --rate): one producer commits while the workers deliver.
        committed, first_commit, produced = stage_one_per_commit(app, f"{queue}-live", n, rate)
        wait_delivered(sink, list(committed))
        delays = sorted(sink.first_at[k] - committed[k] for k in committed if k in sink.first_at)
        done = max((sink.first_at[k] for k in committed if k in sink.first_at), default=0.0)
        result.update(
            live_commit_rate=n / produced,
            throughput=len(delays) / (done - first_commit) if delays else 0.0,
            p50=statistics.median(delays) if delays else float("nan"),
            p95=pct(delays, 0.95),
        )

        # 3. Broadcast: one commit stages `broadcast` messages (a shift offered to 300 people).
        keys = [f"{queue}-broadcast-{i}" for i in range(broadcast)]
        with app.app_context():
            outbox.email_many(
                "password_reset",
                [(f"b{i}@bench.test", {"reset_url": f"http://x/b/{i}", "minutes": 60}, key)
                 for i, key in enumerate(keys)],
                essential=True,
            )  # fmt: skip
            broadcast_at = time.time()  # the commit hands the ids to the broker when it ends
            db.session.commit()
        wait_delivered(sink, keys)
        accepted = [sink.first_at[k] - broadcast_at for k in keys if k in sink.first_at]
        result.update(
            broadcast=broadcast,
            broadcast_first=min(accepted, default=float("nan")),
            broadcast_last=max(accepted, default=float("nan")),
        )
        time.sleep(2)  # let stragglers (a duplicate, if any) show up before counting

        # The at-least-once window: SMTP acceptance -> the row's "sent" mark.
        everything = {**drained, **committed, **dict.fromkeys(keys, 0.0)}
        with app.app_context():
            sent_at = {key: at for key, at in db.session.execute(
                db.select(OutboxMessage.dedupe_key, OutboxMessage.sent_at)
            )}  # fmt: skip
        window = [
            sent_at[k].timestamp() - sink.first_at[k]
            for k in everything
            if k in sink.first_at and sent_at.get(k) is not None
        ]
        result.update(
            window_p50=pct(window, 0.5), window_p99=pct(window, 0.99),
            window_max=max(window, default=float("nan")),
            lost=sum(1 for k in everything if k not in sink.first_at),
            duplicated=sum(c - 1 for c in sink.count.values()),
        )  # fmt: skip
    finally:
        stop(procs)
        smtp.stop()
        if broker.startswith("redis"):
            import redis

            redis.Redis.from_url(broker).delete(queue)
    print(f"  ({setup}: outbox part done: {result})", flush=True)
    result["noop_rate"] = run_noop(setup, n, broker if setup == "stack" else
                                   f"sqla+sqlite:///{tmp / 'noop-broker.sqlite'}", worker_specs,
                                   tmp)  # fmt: skip
    result["ratio"] = result["drain_rate"] / result["noop_rate"] if result["noop_rate"] else 0.0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--setup", choices=["stack", "embedded", "both"], default="both")
    parser.add_argument("--rate", type=float, default=0, help="commits per second (0: flat out)")
    parser.add_argument("--broadcast", type=int, default=300, help="messages in one commit")
    args = parser.parse_args()
    setups = ["stack", "embedded"] if args.setup == "both" else [args.setup]
    failed = False
    for setup in setups:
        with tempfile.TemporaryDirectory(prefix=f"bench-outbox-{setup}-") as tmp:
            r = run(setup, args.n, Path(tmp), args.rate, args.broadcast)
        print(
            f"{r['setup']} (workers {r['workers']}), n={r['n']}\n"
            f"  backlog: committed at {r['commit_rate']:.0f}/s, drained at "
            f"{r['drain_rate']:.1f} delivered/s; bare Celery no-op tasks {r['noop_rate']:.1f}/s; "
            f"ratio {r['ratio']:.2f}\n"
            f"  live ({args.rate or 'flat out'}): commits {r['live_commit_rate']:.0f}/s, "
            f"delivered {r['throughput']:.1f}/s, commit -> SMTP p50 {r['p50']:.2f} s "
            f"p95 {r['p95']:.2f} s\n"
            f"  broadcast of {r['broadcast']} in one commit: first accepted after "
            f"{r['broadcast_first']:.2f} s, last after {r['broadcast_last']:.2f} s "
            f"(N / drain rate = {r['broadcast'] / r['drain_rate']:.2f} s)\n"
            f"  acceptance -> sent mark (the at-least-once window): p50 "
            f"{1000 * r['window_p50']:.1f} ms, p99 {1000 * r['window_p99']:.1f} ms, max "
            f"{1000 * r['window_max']:.1f} ms\n"
            f"  lost {r['lost']}, duplicated {r['duplicated']}",
            flush=True,
        )
        failed |= bool(r["lost"] or r["duplicated"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Outbox benchmark: N notifications, each committed in its own transaction, through real workers.

Prints throughput, the p50/p95 delay from commit to SMTP acceptance, and the lost and duplicated
counts, for the stack (PostgreSQL + Redis + two workers + beat) and the embedded setup (SQLite
database and SQLite broker, one worker with beat, as `make run` starts them).

    .venv/bin/python bench/bench_outbox.py [--n 10000] [--setup stack|embedded|both] [--rate R]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from email.parser import BytesHeaderParser
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


class Sink:
    """Records when each outbox key was accepted (first time) and how often."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_at: dict[str, float] = {}
        self.count: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        key = str(BytesHeaderParser().parsebytes(envelope.content)["X-Outbox-Key"])
        with self.lock:
            self.count[key] += 1
            self.first_at.setdefault(key, now)
        return "250 OK"


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


def run(setup: str, n: int, tmp: Path, rate: float = 0) -> dict[str, Any]:
    from agency import create_app
    from agency.extensions import db
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
        worker_specs = [("embedded", 1)]
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
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
        celery = [sys.executable, "-m", "celery", "-A", "workers.app"]
        for name, concurrency in worker_specs:
            log = tmp / f"{setup}-{name}.log"
            args = [
                *celery,
                "worker",
                f"--concurrency={concurrency}",
                f"--hostname={name}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                "-Q",
                queue,
            ]
            if setup == "embedded":
                args += ["--beat", f"--schedule={tmp / 'beat-embedded'}"]
            log.write_text("")
            procs.append(start_process([*args, f"--logfile={log}"], env, log))
            wait_ready(log)
        if setup == "stack":
            procs.append(
                start_process(
                    [*celery, "beat", f"--schedule={tmp / 'beat-stack'}"],
                    env,
                    tmp / "stack-beat.log",
                )
            )
        committed: dict[str, float] = {}
        started = time.time()
        with app.app_context():
            for i in range(n):
                if rate:  # an offered load below capacity shows delay without a backlog
                    time.sleep(max(0.0, started + i / rate - time.time()))
                key = f"{queue}-{i}"
                outbox.email(
                    "password_reset",
                    f"user{i}@bench.test",
                    {"reset_url": f"http://x/reset/{i}", "minutes": 60},
                    key,
                    essential=True,
                )
                db.session.commit()
                committed[key] = time.time()
        produced = time.time() - started
        deadline, last_seen, last_count = time.time() + 600, time.time(), 0
        while len(sink.first_at) < n and time.time() < deadline:
            time.sleep(0.5)
            if len(sink.first_at) != last_count:
                last_count, last_seen = len(sink.first_at), time.time()
            elif time.time() - last_seen > 120:  # two sweeps and a lease with no progress
                break
        time.sleep(2)  # let stragglers (a duplicate, if any) show up before counting
        delays = sorted(sink.first_at[k] - committed[k] for k in committed if k in sink.first_at)
        done = max(sink.first_at.values(), default=started)
        return {
            "setup": setup, "n": n, "workers": "+".join(f"{w}x{c}" for w, c in worker_specs),
            "commit_rate": n / produced,
            "throughput": len(delays) / (done - started),
            "p50": statistics.median(delays) if delays else float("nan"),
            "p95": delays[int(0.95 * (len(delays) - 1))] if delays else float("nan"),
            "lost": sum(1 for k in committed if k not in sink.first_at),
            "duplicated": sum(c - 1 for c in sink.count.values()),
        }  # fmt: skip
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        smtp.stop()
        if broker.startswith("redis"):
            import redis

            redis.Redis.from_url(broker).delete(queue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--setup", choices=["stack", "embedded", "both"], default="both")
    parser.add_argument("--rate", type=float, default=0, help="commits per second (0: flat out)")
    args = parser.parse_args()
    setups = ["stack", "embedded"] if args.setup == "both" else [args.setup]
    print(
        f"{'setup':9} {'n':>6} {'workers':>12} {'commits/s':>10} {'delivered/s':>12} "
        f"{'p50 s':>7} {'p95 s':>7} {'lost':>5} {'dup':>4}"
    )
    failed = False
    for setup in setups:
        with tempfile.TemporaryDirectory(prefix=f"bench-outbox-{setup}-") as tmp:
            r = run(setup, args.n, Path(tmp), args.rate)
        print(
            f"{r['setup']:9} {r['n']:>6} {r['workers']:>12} {r['commit_rate']:>10.0f} "
            f"{r['throughput']:>12.1f} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['lost']:>5} "
            f"{r['duplicated']:>4}",
            flush=True,
        )
        failed |= bool(r["lost"] or r["duplicated"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

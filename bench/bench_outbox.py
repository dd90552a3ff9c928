"""Outbox benchmark: notifications through real workers to an SMTP sink, beside bare Celery.

For the stack (PostgreSQL + Redis + two workers + beat) and the embedded setup (SQLite database
and SQLite broker, one worker with beat, as `make run` starts them), in one run:
1. backlog, in --rounds rounds: N bare Celery no-op tasks (bench/noop_app.py, same broker and
   worker layout) queued before their workers start and drained, then N e-mails committed one
   per transaction before the outbox workers start and drained, ..., and a last no-op phase:
   noop, mail, noop, mail, ..., noop. Each phase has a fresh backlog and freshly started
   workers; its steady rate is taken over the middle 80 % of its finish times. Each round's
   ratio is its delivery rate against the mean of the no-op phases on either side (the box's
   speed drifts over a run, so a ratio against one no-op phase minutes away said more about the
   drift than about the code); the median of the rounds' ratios is "the" ratio. Each phase
   also prints the CPU time per message or task (between 10 % and 90 % done) of the workers,
   the SMTP sink, the PostgreSQL backends serving the workers and Redis, and how busy the box
   was;
2. live: N more committed by one producer flat out (or at --rate) while the workers run:
   delivered/s and the p50/p95 delay from commit to SMTP acceptance, as before;
3. broadcast: one commit that stages --broadcast messages: first and last acceptance;
and, over all of them, the width of the at-least-once window (SMTP acceptance -> row marked
sent), lost and duplicated counts.

    .venv/bin/python bench/bench_outbox.py [--n 10000] [--setup stack|embedded|both] [--rate R]
        [--rounds 3]
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


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(stat_path: str) -> float:
    """User + system CPU seconds of a process or thread from its /proc stat file (0 if gone)."""
    try:
        fields = Path(stat_path).read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _group_pids(pgids: set[int]) -> list[int]:
    """Every process in these process groups (a worker's session: its parent and pool)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) in pgids:
                pids.append(int(entry.name))
    return pids


def _box_busy() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole box so far (all cores, /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS


class CpuProbe:
    """CPU seconds spent by each part of the setup between two snapshots: the worker processes
    (parents and pool children, by process group), the sink's event-loop thread, the PostgreSQL
    backends of the benchmark's database (stack) and the Redis server (all of it: other users
    of the same server count too), and the whole box's busy time beside the wall time."""

    def __init__(
        self,
        workers: list[subprocess.Popen[bytes]],
        sink_thread: int | None,
        pg_url: str | None,
        redis_url: str | None,
    ) -> None:
        self.pgids = {proc.pid for proc in workers}
        self.sink_thread = sink_thread
        self.pg = create_engine(pg_url, isolation_level="AUTOCOMMIT") if pg_url else None
        self.redis_url = redis_url
        self.pg_pids: set[int] = set()

    def snapshot(self) -> dict[str, float]:
        now = {"wall": time.monotonic()}
        now["box_busy"], now["box_total"] = _box_busy()
        now["workers"] = sum(_proc_cpu(f"/proc/{pid}/stat") for pid in _group_pids(self.pgids))
        if self.sink_thread is not None:
            now["sink"] = _proc_cpu(f"/proc/{os.getpid()}/task/{self.sink_thread}/stat")
        if self.pg is not None:
            with self.pg.connect() as conn:
                self.pg_pids |= set(
                    conn.execute(
                        text(
                            "SELECT pid FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        )
                    ).scalars()
                )
            now["postgres"] = sum(_proc_cpu(f"/proc/{pid}/stat") for pid in self.pg_pids)
        if self.redis_url:
            import redis

            info = redis.Redis.from_url(self.redis_url).info("cpu")
            now["redis"] = float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
        return now

    def close(self) -> None:
        if self.pg is not None:
            self.pg.dispose()


def cpu_per_item(start: dict[str, float], end: dict[str, float], items: int) -> dict[str, float]:
    """Milliseconds of CPU per message (or task) by part, and the box's busy share."""
    parts = [k for k in ("workers", "sink", "postgres", "redis") if k in start and k in end]
    per = {k: 1000 * (end[k] - start[k]) / max(items, 1) for k in parts}
    per["ours"] = sum(per.values())
    per["box"] = 1000 * (end["box_busy"] - start["box_busy"]) / max(items, 1)
    total = end["box_total"] - start["box_total"]
    per["busy_share"] = (end["box_busy"] - start["box_busy"]) / total if total else 0.0
    per["wall"] = end["wall"] - start["wall"]
    return per


def format_cpu(per: dict[str, float], unit: str) -> str:
    parts = ", ".join(
        f"{k} {per[k]:.2f}" for k in ("workers", "sink", "postgres", "redis") if k in per
    )
    return (
        f"CPU ms per {unit}: {parts}; together {per['ours']:.2f}, whole box {per['box']:.2f} "
        f"(box {100 * per['busy_share']:.0f} % busy over {per['wall']:.1f} s)"
    )


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


def wait_delivered(
    sink: Sink, keys: list[str], stall: float = 120, probe: CpuProbe | None = None
) -> dict[str, float] | None:
    """Wait until every key was accepted (or nothing moved for `stall` seconds); with a probe,
    the CPU per message between 10 % and 90 % accepted."""
    last_seen, last_count = time.time(), -1
    marks: list[tuple[int, dict[str, float]]] = []
    while True:
        with sink.lock:
            count = sum(1 for k in keys if k in sink.first_at)
        if probe is not None and len(marks) < 2 and count >= (0.1, 0.9)[len(marks)] * len(keys):
            marks.append((count, probe.snapshot()))
        if count == len(keys):
            break
        if count != last_count:
            last_count, last_seen = count, time.time()
        elif time.time() - last_seen > stall:  # two sweeps and a lease with no progress
            break
        time.sleep(0.05 if probe is not None and len(marks) < 2 else 0.2)
    if len(marks) < 2:
        return None
    (count1, start), (count2, end) = marks
    return cpu_per_item(start, end, count2 - count1)


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


def run_noop(
    n: int, broker: str, specs: list[tuple[str, int]], tmp: Path, redis_cpu: str | None
) -> tuple[float, dict[str, float] | None]:
    """Bare Celery no-op tasks through the same broker and worker layout: the steady rate, and
    the CPU per task between 10 % and 90 % done."""
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
    probe = CpuProbe(procs, None, None, redis_cpu)
    marks: list[tuple[int, dict[str, float]]] = []
    try:
        deadline = time.time() + 600
        while (done := times.llen(times_key)) < n and time.time() < deadline:
            if len(marks) < 2 and done >= (0.1, 0.9)[len(marks)] * n:
                marks.append((done, probe.snapshot()))
            time.sleep(0.05 if len(marks) < 2 else 0.2)
        rate = middle_rate([float(t) for t in times.lrange(times_key, 0, -1)])
    finally:
        stop(procs)
        probe.close()
        times.delete(times_key, queue)
    if len(marks) < 2:
        return rate, None
    (done1, start), (done2, end) = marks
    return rate, cpu_per_item(start, end, done2 - done1)


def settle_marks(app: Any, timeout: float = 30) -> None:
    """Wait until no message is left "sending": the last ones accepted are marked sent a few
    milliseconds later, and a worker stopped inside that window (its pool children get the
    SIGTERM too) would send them again in the next round, after their lease."""
    from agency.extensions import db
    from agency.models import OutboxMessage, OutboxStatus

    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            sending = db.session.execute(
                db.select(db.func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
            ).scalar_one()
            db.session.rollback()
            if not sending:
                return
            time.sleep(0.05)


def purge(app: Any) -> None:
    """Drop the tasks a stopped round left in the queue (those that found their message already
    sent by a batch), so the next round starts from its own backlog only."""
    with app.app_context():
        app.extensions["celery"].control.purge()


def run(
    setup: str, n: int, tmp: Path, rate: float = 0, broadcast: int = 300, rounds: int = 3
) -> dict[str, Any]:
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
        noop_broker, pg_cpu, redis_cpu = broker, database, REDIS_URL
    else:
        database = f"sqlite:///{tmp / 'embedded.sqlite'}"
        broker = f"sqla+sqlite:///{tmp / 'broker.sqlite'}"
        worker_specs = [("embedded", int(os.environ.get("WORKER_CONCURRENCY", "2")))]
        noop_broker, pg_cpu, redis_cpu = f"sqla+sqlite:///{tmp / 'noop-broker.sqlite'}", None, None
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    sink_thread = smtp._thread.native_id if smtp._thread is not None else None
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
    result: dict[str, Any] = {"setup": setup, "n": n, "rounds": [], "noop": [],
                              "workers": "+".join(f"{w}x{c}" for w, c in worker_specs)}  # fmt: skip
    worker_args = ["--beat", f"--schedule={tmp / 'beat-embedded'}"] if setup == "embedded" else []

    def start_outbox_workers() -> list[subprocess.Popen[bytes]]:
        started = start_workers("workers.app", worker_specs, queue, env, tmp, worker_args)
        if setup == "stack":
            started.append(start_process([sys.executable, "-m", "celery", "-A", "workers.app",
                                          "beat", f"--schedule={tmp / 'beat-stack'}"],
                                         env, tmp / "stack-beat.log"))  # fmt: skip
        return started

    def noop_phase() -> None:
        rate, cpu = run_noop(n, noop_broker, worker_specs, tmp, redis_cpu)
        result["noop"].append({"rate": rate, "cpu": cpu})
        print(f"  ({setup}: no-op phase {len(result['noop'])}: {rate:.1f} tasks/s; "
              f"{format_cpu(cpu, 'task') if cpu else 'no CPU figures'})", flush=True)  # fmt: skip

    drained: dict[str, float] = {}
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()

        # 1. Backlog rounds, each phase on a fresh backlog with freshly started workers:
        # noop, mail, noop, mail, ..., noop. A mail phase: N messages committed (one transaction
        # each) before any worker runs; the workers then drain it.
        noop_phase()
        for r in range(rounds):
            backlog, _, staging = stage_one_per_commit(app, f"{queue}-backlog{r}", n)
            drained.update(backlog)
            procs = start_outbox_workers()
            probe = CpuProbe(procs, sink_thread, pg_cpu, redis_cpu)
            try:
                cpu = wait_delivered(sink, list(backlog), probe=probe)
                settle_marks(app)
            finally:
                stop(procs)
                probe.close()
            procs = []
            purge(app)
            rate_r = middle_rate([sink.first_at[k] for k in backlog if k in sink.first_at])
            result["rounds"].append({"commit_rate": n / staging, "drain_rate": rate_r, "cpu": cpu})
            print(f"  ({setup}: mail phase {r + 1}: committed at {n / staging:.0f}/s, drained at "
                  f"{rate_r:.1f}/s; {format_cpu(cpu, 'message') if cpu else 'no CPU figures'})",
                  flush=True)  # fmt: skip
            noop_phase()
        for r, phase in enumerate(result["rounds"]):
            around = (result["noop"][r]["rate"] + result["noop"][r + 1]["rate"]) / 2
            phase["noop_rate"] = around
            phase["ratio"] = phase["drain_rate"] / around if around else 0.0
        result["ratio"] = statistics.median(phase["ratio"] for phase in result["rounds"])
        result["drain_rate"] = statistics.median(phase["drain_rate"] for phase in result["rounds"])
        result["noop_rate"] = statistics.median(phase["rate"] for phase in result["noop"])
        result["commit_rate"] = statistics.median(p["commit_rate"] for p in result["rounds"])

        # 2. Flat out (or at --rate): one producer commits while the workers deliver.
        procs = start_outbox_workers()
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
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--setup", choices=["stack", "embedded", "both"], default="both")
    parser.add_argument("--rate", type=float, default=0, help="commits per second (0: flat out)")
    parser.add_argument("--broadcast", type=int, default=300, help="messages in one commit")
    parser.add_argument(
        "--rounds", type=int, default=3, help="mail phases, each between two no-op phases"
    )
    args = parser.parse_args()
    setups = ["stack", "embedded"] if args.setup == "both" else [args.setup]
    failed = False
    for setup in setups:
        load_before, started = os.getloadavg(), time.strftime("%H:%M:%S", time.gmtime())
        with tempfile.TemporaryDirectory(prefix=f"bench-outbox-{setup}-") as tmp:
            r = run(setup, args.n, Path(tmp), args.rate, args.broadcast, max(args.rounds, 1))
        load_after, ended = os.getloadavg(), time.strftime("%H:%M:%S", time.gmtime())
        rounds = "\n".join(
            f"    round {i + 1}: drained at {p['drain_rate']:.1f} delivered/s, no-op phases on "
            f"either side {r['noop'][i]['rate']:.1f} / {r['noop'][i + 1]['rate']:.1f} tasks/s, "
            f"ratio {p['ratio']:.2f}"
            for i, p in enumerate(r["rounds"])
        )
        print(
            f"{r['setup']} (workers {r['workers']}), n={r['n']}, {len(r['rounds'])} rounds, "
            f"{started}-{ended} UTC, load average {load_before[0]:.1f} -> {load_after[0]:.1f}\n"
            f"  backlog: committed at {r['commit_rate']:.0f}/s (median)\n{rounds}\n"
            f"  ratio {r['ratio']:.2f} (median of the rounds; delivery {r['drain_rate']:.1f}/s, "
            f"bare Celery no-op tasks {r['noop_rate']:.1f}/s, medians)\n"
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

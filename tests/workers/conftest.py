"""Real parts for the background-work tests: Redis, an aiosmtpd sink and Celery worker processes.

Every process started here is killed by a fixture finalizer. Waits poll a condition with a
deadline; nothing sleeps blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller

from agency.config import build_config

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# How long a worker may take to say "ready": a minute on a quiet box; CI on a loaded one may
# need more.
WORKER_START_SECONDS = float(os.environ.get("TEST_WORKER_START_SECONDS") or 60)


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- Redis ------------------------------------------------------------------------------------


@pytest.fixture
def db_isolation() -> str:
    # A worker process or a live server reads what the test writes: real commits.
    return "commits"


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {url} does not answer ({exc}); CI must provide it")
        pytest.skip(f"Redis at {url} does not answer ({exc}); start redis-server to run these")
    return url


class PrivateRedis:
    """A redis-server of our own (append-only, fsync always) that a test may kill and restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--maxmemory-policy", "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._pings, 15, "the private redis-server to answer")

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL: only what the append-only file holds survives."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path / "redis")
    server.directory.mkdir()
    server.start()
    yield server
    server.kill()


# ---- SMTP sink --------------------------------------------------------------------------------


class Sink:
    """An aiosmtpd handler that records accepted mail and can refuse or stall on request.

    It advertises PIPELINING (RFC 2920) unless told not to, as Postfix does: aiosmtpd reads
    commands in order from its stream, so pipelined ones already work; only the word is missing.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[EmailMessage] = []
        self.accepted_at: dict[str, float] = {}
        self.tries: Counter[str] = Counter()
        self.peers: dict[str, list[Any]] = {}  # the client end of each try: one per connection
        self.reply: str | None = None  # e.g. "550 ..." or "451 ..." instead of accepting
        self.replies: dict[str, str] = {}  # the same for one outbox key
        self.stall_key: str | None = None
        self.stalled = threading.Event()
        self.pipelining = True
        self.rcpt_replies: dict[str, str] = {}  # a refusal of RCPT TO, by address
        self.mail_replies: list[str] = []  # refusals of the next MAIL FROMs, one each
        self.drop_key: str | None = None  # the connection is cut once this text came in

    def reset(self) -> None:
        with self.lock:
            self.accepted.clear()
            self.accepted_at.clear()
            self.tries.clear()
            self.peers.clear()
        self.reply, self.stall_key = None, None
        self.replies.clear()
        self.stalled.clear()
        self.pipelining = True
        self.rcpt_replies.clear()
        self.mail_replies.clear()
        self.drop_key = None

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if not self.pipelining:
            return responses
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = BytesParser(policy=policy.default).parsebytes(envelope.content)
        key = str(msg.get("X-Outbox-Key", ""))
        with self.lock:
            self.tries[key] += 1
            self.peers.setdefault(key, []).append(session.peer)
        if self.reply or key in self.replies:
            return self.replies.get(key) or str(self.reply)
        if key and key == self.drop_key:
            self.drop_key = None
            server.transport.abort()  # no reply: the sender cannot know whether it was taken
            await asyncio.sleep(60)  # cancelled by aiosmtpd as the connection is gone
        if key and key == self.stall_key and not self.stalled.is_set():
            self.stalled.set()
            # Hold the sender before "250": the test kills it now. aiosmtpd cancels this
            # coroutine when the connection drops, so that copy is never accepted.
            await asyncio.sleep(60)
        with self.lock:
            self.accepted.append(msg)  # type: ignore[arg-type]
            self.accepted_at.setdefault(key, time.time())
        return "250 2.0.0 OK"

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["X-Outbox-Key"]) for m in self.accepted)


class SmtpServer:
    """The sink on a fixed port that can be stopped ("the mail server is down") and restarted."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    smtp_server.sink.reset()
    if smtp_server.controller is None:
        smtp_server.start()
    yield smtp_server
    smtp_server.sink.reset()
    if smtp_server.controller is None:
        smtp_server.start()


# ---- the app under test -----------------------------------------------------------------------


@pytest.fixture
def queue_name() -> str:
    # Our own queue: other test runs (or engineers) may share this Redis database.
    return f"clinicmatch-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def broker_url(redis_url: str) -> str:
    """The broker the app and its workers use; a test may override it (private Redis)."""
    return redis_url


@pytest.fixture
def app_config(
    app_config: dict[str, Any], broker_url: str, smtp: SmtpServer, queue_name: str, tmp_path: Path
) -> dict[str, Any]:
    celery = dict(build_config(tmp_path, env={"SECRET_KEY": "x"})["CELERY"])  # type: ignore[arg-type]
    celery.update(broker_url=broker_url, task_default_queue=queue_name)
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "OUTBOX_ENQUEUE_AFTER_COMMIT": True,
        "OUTBOX_RETRY_BASE_SECONDS": 1,
        "OUTBOX_RETRY_MAX_SECONDS": 8,
        "CELERY": celery,
    }


@pytest.fixture(autouse=True)
def _drop_queue(redis_url: str, queue_name: str) -> Iterator[None]:
    yield
    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        client.delete(queue_name)
        # A killed worker's unacked task would otherwise be restored into the queue later.
        for tag, raw in client.hgetall("unacked").items():
            if queue_name.encode() in raw:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


# ---- Celery worker processes ------------------------------------------------------------------


class Worker:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc, self.log = proc, log

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as the OOM killer or a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Workers:
    """Starts `celery -A workers.app worker` processes against the test's database and broker."""

    def __init__(self, app_config: dict[str, Any], tmp_path: Path) -> None:
        self.config, self.tmp_path = app_config, tmp_path
        self.started: list[Worker] = []

    def env(self, **extra: Any) -> dict[str, str]:
        celery = self.config["CELERY"]
        env = {
            **os.environ,
            "DATABASE_URL": self.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_BROKER_URL": celery["broker_url"],
            "CELERY_DEFAULT_QUEUE": celery["task_default_queue"],
            "SECRET_KEY": self.config["SECRET_KEY"],
            "MAIL_SERVER": str(self.config["MAIL_SERVER"] or ""),
            "MAIL_PORT": str(self.config["MAIL_PORT"]),
            "OUTBOX_ENQUEUE_AFTER_COMMIT": "1",
            "OUTBOX_RETRY_BASE_SECONDS": str(self.config.get("OUTBOX_RETRY_BASE_SECONDS", 30)),
            "OUTBOX_RETRY_MAX_SECONDS": str(self.config.get("OUTBOX_RETRY_MAX_SECONDS", 7200)),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self, name: str, *, beat: bool = False, concurrency: int = 1, **env: Any) -> Worker:
        log = self.tmp_path / f"worker-{name}.log"
        cmd = [
            sys.executable, "-m", "celery", "-A", "workers.app", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", f"--hostname={name}@%h",
            "--without-mingle", "--without-gossip", f"--logfile={log}",
            "-Q", self.config["CELERY"]["task_default_queue"],
        ]  # fmt: skip
        if beat:
            cmd += ["--beat", f"--schedule={self.tmp_path / f'beat-{name}'}"]
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env(**env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the pool children
        )
        worker = Worker(proc, log)
        self.started.append(worker)
        wait_for(
            lambda: " ready." in worker.log_text() or proc.poll() is not None,
            WORKER_START_SECONDS,
            f"worker {name} to start",
        )
        if proc.poll() is not None:
            pytest.fail(f"worker {name} exited at start:\n{worker.log_text()[-3000:]}")
        return worker

    def stop_all(self) -> None:
        # SIGKILL: a graceful stop costs seconds per test, and the test's queue is dropped anyway.
        for worker in self.started:
            worker.kill()


@pytest.fixture
def workers(app: Any, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(app_config, tmp_path)
    yield pool
    pool.stop_all()

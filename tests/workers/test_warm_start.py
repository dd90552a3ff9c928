"""A new server process starts warm: gunicorn and the Celery worker load the candidate pool and
the ZIP table once in the parent, before forking, and the forked children serve at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from agency.extensions import db
from agency.services import warmup
from agency.services.engine import engine
from tests.workers.conftest import ROOT, Workers, free_port, wait_for


def test_warm_builds_the_pool_and_leaves_no_connection_open(
    app, make_candidate, make_opening
) -> None:
    candidate, opening = make_candidate(), make_opening()
    engine().reset()
    spent = warmup.warm(app)
    assert set(spent) == {
        "zip table",
        "templates",
        "form checks",
        "candidate pool",
        "open openings",
    }
    # Nothing may be shared across the fork that follows.
    assert all(engine.pool.checkedout() == 0 for engine in db.engines.values())
    with engine().pool() as pool:
        assert candidate.id in pool
    assert opening.id in engine().opening_index()


def test_warm_compiles_every_page_template(app) -> None:
    app.jinja_env.cache.clear()
    warmup.warm(app)
    cached = {name for _, name in app.jinja_env.cache.keys()}  # noqa: SIM118 (an LRUCache)
    assert {"public/home.html", "auth/register.html", "candidates/profile.html"} <= cached


def test_make_run_server_warms_before_it_listens(app_config: dict[str, Any]) -> None:
    from agency import create_app

    warm_app = create_app({**app_config, "WARM_ON_START": True})
    cached = {name for _, name in warm_app.jinja_env.cache.keys()}  # noqa: SIM118
    assert "public/home.html" in cached


def test_gunicorn_builds_the_pool_before_forking_and_serves_at_once(
    app, app_config: dict[str, Any], make_candidate, make_opening, tmp_path: Path
) -> None:
    make_candidate()
    opening = make_opening(title="Front Desk Receptionist")
    db.session.commit()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "warm-start-test",
        "OUTBOX_ENQUEUE_AFTER_COMMIT": "0",
        "PORT": str(port),
        "WEB_WORKERS": "2",
    }
    env.pop("REDIS_URL", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "scripts/gunicorn.conf.py",
                "agency:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        text = lambda: log.read_text(errors="replace")  # noqa: E731
        wait_for(lambda: text().count("Booting worker") >= 2 or proc.poll() is not None, 60,
                 "gunicorn to boot its workers")  # fmt: skip
        assert proc.poll() is None, text()[-3000:]
        lines = text()
        warmed = lines.index("warmed up before forking the workers")
        assert "candidate pool" in lines[warmed:] and warmed < lines.index("Booting worker")
        answer = requests.get(f"http://127.0.0.1:{port}/jobs?zip=02139&radius=25", timeout=10)
        assert answer.status_code == 200 and opening.title in answer.text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def test_the_celery_worker_warms_up_before_forking_its_children(workers: Workers) -> None:
    worker = workers.start("warm", concurrency=2)
    assert "warmed up before forking the pool children" in worker.log_text()

"""Web load test: wrk against gunicorn on 127.0.0.1 with a realistic mix, and its baselines.

Works on a copy of the database bench_seed.py left (100,000 candidates), so applications made
during the run do not pile up. One gunicorn serves the product plus two bench-only routes
(bench/web/bench_app.py): a baseline page (one ORM query for 20 openings with their clinic, a
small Jinja template) and a hello route. Phases, each bounded in time and in requests:

1. a 5-second mix to warm the workers (not counted);
2. the baseline page and the mix in alternating slices (`--rounds`, 5 by default, of
   duration / rounds seconds each; baseline first and last), so that the box's drift within a
   minute reaches both alike. The mix: job board searches 35 %, opening detail 25 %, candidate
   apply 10 % (form 5 %, submit 5 %, a new opening each time), staff opening review 15 %,
   clinic dashboard 15 %;
3. each kind of page of the mix alone (for the breakdown); 4. the hello route.

Before the warm-up, right after the start: the first visits of bench/first_visits.py (home page,
staff log-in, clinic sign-up, candidate profile save), one request each.

Prints requests/s, p50/p95/p99 latency, errors (non-2xx/3xx, a redirect to the login page,
socket errors) and the mix / baseline throughput ratio.

    .venv/bin/python bench/bench_web.py [--backend sqlite|postgresql] [--duration 30]
        [--workers 2] [--connections 4] [--max-requests 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import first_visits  # noqa: E402
from bench_seed import PG_URL, SQLITE_PATH  # noqa: E402

PORT = int(os.environ.get("BENCH_WEB_PORT", "5077"))
BASE = f"http://127.0.0.1:{PORT}"
USER_AGENT = "clinicmatch-bench/1.0"  # the session is bound to address + browser ("strong")
DEMO_PASSWORD = "clinicmatch-demo-2026"
APPLY_NOTE = "load test"
LUA = Path(__file__).resolve().parent / "web" / "mix.lua"
JOB_QUERIES = [
    "q=receptionist",
    "q=medical+secretary",
    "role=receptionist",
    "role=secretary&sort=pay",
    "q=billing&role=secretary",
    "zip=02139&radius=10",
    "zip=02114&radius=25&role=receptionist",
    "q=front+desk&zip=02445&radius=15",
    "employment_type=temp&min_pay=20",
    "q=insurance&sort=newest",
    "",
    "page=2",
    "role=receptionist&page=3",
]


def copy_database(backend: str) -> str:
    """A throw-away copy of the seeded database; returns its URL."""
    if backend == "sqlite":
        if not SQLITE_PATH.exists():
            sys.exit("no seeded SQLite database: run bench/bench_seed.py first")
        target = Path(tempfile.gettempdir()) / "clinicmatch-bench-web.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
            if Path(f"{SQLITE_PATH}{suffix}").exists():
                shutil.copyfile(f"{SQLITE_PATH}{suffix}", f"{target}{suffix}")
        return f"sqlite:///{target}"
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    copy = f"{url.database}_web"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=copy).render_as_string(hide_password=False)


def upgraded_copy(backend: str) -> str:
    """A copy of the seeded database brought to this checkout's migration; returns its URL."""
    url = copy_database(backend)
    # The seeded database may predate a migration of this checkout.
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=url, FLASK_APP="agency"),
        check=True,
        capture_output=True,
    )
    return url


def start_gunicorn(url: str, workers: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        PYTHONPATH=str(ROOT / "bench" / "web"),
        # The benchmark logs in ten people from one address, and compare_web.py does it again
        # within the minute: the product's login limit (10 a minute per address) answered 429.
        LOGIN_RATE_LIMIT=os.environ.get("LOGIN_RATE_LIMIT", "100000 per minute"),
    )
    log = open(Path(tempfile.gettempdir()) / "clinicmatch-bench-web.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            # The product's own settings: app preloaded, pool built once before forking.
            "--config",
            str(ROOT / "scripts" / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "256",
            "bench_app:bench_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # The master builds the pool before it forks the workers: the first answer means all are warm.
    started = time.perf_counter()
    while time.perf_counter() - started < 240:
        if proc.poll() is not None:
            # The next run reuses the log file: keep its end in this run's output.
            log.flush()
            tail = Path(log.name).read_text(errors="replace").splitlines()[-20:]
            sys.exit(f"gunicorn exited ({log.name}, last lines):\n" + "\n".join(tail))
        try:
            if requests.get(f"{BASE}/_bench/hello", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        stop(proc)
        sys.exit("gunicorn did not answer within 240 s")
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def login(email: str) -> tuple[str, str]:
    """Log in through the real form; returns (session cookie, a CSRF token for later forms)."""
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    page = s.get(f"{BASE}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, "no CSRF token on the login page"
    r = s.post(
        f"{BASE}/login",
        data={"csrf_token": token.group(1), "email": email, "password": DEMO_PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, f"login of {email} failed: {r.status_code}"
    page = s.get(f"{BASE}/me", timeout=60).text if "@example.com" in email else page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or token
    cookie = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
    return cookie, token.group(1)


def plan(url: str) -> dict[str, Any]:
    """Ids and logins for the mix, read from the copy of the database."""
    engine = create_engine(make_url(url).set(drivername=make_url(url).drivername))
    if url.startswith("postgresql://"):
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        public_ids = list(
            conn.execute(
                text(
                    "SELECT o.id FROM openings o JOIN clinics c ON c.id = o.clinic_id "
                    "WHERE o.status = 'open' AND c.approved ORDER BY o.id"
                )
            ).scalars()
        )
        emails = list(
            conn.execute(
                text(
                    "SELECT u.email FROM users u JOIN candidates c ON c.user_id = u.id "
                    "WHERE c.status = 'active' ORDER BY c.id LIMIT 8 OFFSET 1000"
                )
            ).scalars()
        )
        clinic_id = conn.execute(
            text("SELECT clinic_id FROM users WHERE email = 'clinic@demo.clinicmatch.test'")
        ).scalar_one()
    engine.dispose()
    rng = random.Random(11)
    return {
        "public_ids": public_ids,
        "detail_ids": rng.sample(public_ids, min(200, len(public_ids))),
        "review_ids": rng.sample(public_ids, min(100, len(public_ids))),
        "apply_ids": rng.sample(public_ids, len(public_ids)),
        "candidate_emails": emails,
        "clinic_id": clinic_id,
    }


def lua_list(values: list[Any]) -> str:
    return "{" + ",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values) + "}"


def write_lua(
    p: dict[str, Any], logins: dict[str, Any], mix: str, max_requests: int, apply_start: int = 0
) -> Path:
    cands = logins["candidates"]
    data = f"""
mix = "{mix}"
max_requests = {max_requests}
apply_start = {apply_start}
searches = {lua_list(["/jobs" + ("?" + q if q else "") for q in JOB_QUERIES])}
details = {lua_list(p["detail_ids"])}
reviews = {lua_list(p["review_ids"])}
apply_ids = {lua_list(p["apply_ids"])}
cand_cookies = {lua_list([c for c, _ in cands])}
cand_tokens = {lua_list([t for _, t in cands])}
staff_cookie = "{logins["staff"][0]}"
clinic_cookie = "{logins["clinic"][0]}"
user_agent = "{USER_AGENT}"
apply_note = "{APPLY_NOTE.replace(" ", "+")}"
"""
    path = Path(tempfile.gettempdir()) / f"clinicmatch-bench-{mix}.lua"
    path.write_text(data + LUA.read_text())
    return path


def wrk(script: Path, duration: int, connections: int, threads: int) -> dict[str, float]:
    done = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            BASE,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    out = done.stdout + done.stderr
    found = re.search(r"RESULT (.*)", out)
    if done.returncode != 0 or not found:
        sys.exit(f"wrk failed:\n{out}")
    result = {k: float(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = float(sum(int(x) for x in socket.groups())) if socket else 0.0
    result["errors"] += result["socket_errors"]
    return result


def row(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<22} {r['requests']:>7.0f} {r['rps']:>8.1f} {r['p50'] / 1000:>8.1f} "
        f"{r['p95'] / 1000:>8.1f} {r['p99'] / 1000:>8.1f} {r['max'] / 1000:>8.1f} "
        f"{r['errors']:>6.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=int, default=30, help="seconds of the mix phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="per phase (ten times for hello)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="slices the mix and the baseline alternate in"
    )
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    url = upgraded_copy(args.backend)
    p = plan(url)
    started = time.perf_counter()
    proc = start_gunicorn(url, args.workers)
    boot = time.perf_counter() - started
    try:
        # Before anything else warms the workers: what a newcomer meets right after the start.
        visits = first_visits.run(BASE)
        logins = {
            "staff": login("staff@demo.clinicmatch.test"),
            "clinic": login("clinic@demo.clinicmatch.test"),
            "candidates": [login(e) for e in p["candidate_emails"]],
        }
        short = max(10, args.duration // 3)
        # The box's speed drifts by a quarter within a minute, so the measured mix and the
        # baseline take turns in short slices (baseline, mix, baseline, ..., baseline): each
        # mix slice sits between two baseline slices, and drift reaches both alike. A short
        # mix first warms every worker (templates, caches, the ORM's compiled SQL), not counted.
        rounds = max(1, args.rounds)
        slice_s = max(2, args.duration // rounds)
        phases = [("warm-up", "mix", 5)]
        for r in range(rounds):
            phases += [(f"baseline {r + 1}", "baseline", slice_s), (f"mix {r + 1}", "mix", slice_s)]
        phases += [(f"baseline {rounds + 1}", "baseline", slice_s)]
        if not args.no_breakdown:
            phases += [(k, k, short) for k in ("search", "detail", "apply", "review", "dashboard")]
        phases += [("hello", "hello", short)]
        results = {}
        apply_start = 0
        for name, mix, seconds in phases:
            # The hello route runs past 20,000 requests in 10 s: its cap would set its rate.
            cap = args.max_requests * (10 if mix == "hello" else 1)
            script = write_lua(p, logins, mix, cap, apply_start=apply_start)
            results[name] = wrk(script, seconds, args.connections, 1)
            # Each phase applies with pairs (candidate, opening) no phase used before: room for
            # 1,200 requests/s of which 5 % (the mix) or 50 % (the apply phase) submit.
            apply_start += seconds * {"mix": 60, "apply": 600}.get(mix, 0)
    finally:
        stop(proc)
    print(
        f"gunicorn {args.workers} sync workers, wrk 1 thread x {args.connections} connections, "
        f"{args.backend}, {os.cpu_count()} CPUs; boot with pool build {boot:.0f} s"
    )
    first_visits.report(visits)
    print(
        f"{'phase':<22} {'reqs':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6}"
    )
    baselines = [r for name, r in results.items() if name.startswith("baseline ")]
    mixes = [r for name, r in results.items() if name.startswith("mix ")]
    base, mix, hello = combined(baselines), combined(mixes), results["hello"]
    for name, r in results.items():
        if not name.startswith(("baseline ", "mix ")):
            print(row(name, r))
        if name == "warm-up":
            print(row(f"baseline ({len(baselines)} slices)", base))
            print(row(f"mix ({len(mixes)} slices)", mix))
    ratio = mix["rps"] / base["rps"] if base["rps"] else 0.0
    by_round = [
        m["rps"] / ((b0["rps"] + b1["rps"]) / 2)
        for m, b0, b1 in zip(mixes, baselines, baselines[1:], strict=False)
    ]
    slices = ", ".join(f"{x:.2f}" for x in by_round)
    rates = ", ".join(f"{b['rps']:.0f}" for b in baselines)
    print(
        f"mix / baseline throughput: {ratio:.2f} (target >= 0.50; by slice {slices}; baseline "
        f"slices {rates} req/s); hello route {hello['rps']:.0f} req/s for scale"
    )
    ok = mix["p95"] < 300_000 and mix["p99"] < 500_000 and mix["errors"] == 0 and ratio >= 0.5
    print(
        f"targets (p95 < 300 ms, p99 < 500 ms, no errors, >= 50 % of baseline): "
        f"{'met' if ok else 'NOT met'}; applications made: {mix.get('applied', 0):.0f}"
    )


def combined(slices: list[dict[str, float]]) -> dict[str, float]:
    """Several wrk runs as one: requests and errors add up, the rate is requests over the
    summed time, p50 is the slices' median and p95 / p99 / max the worst slice's (wrk reports
    percentiles, not the samples, so they cannot be pooled exactly)."""
    seconds = sum(s["requests"] / s["rps"] for s in slices if s["rps"])
    requests = sum(s["requests"] for s in slices)
    p50s = sorted(s["p50"] for s in slices)
    return {
        "requests": requests,
        "rps": requests / seconds if seconds else 0.0,
        "p50": p50s[len(p50s) // 2],
        "p95": max(s["p95"] for s in slices),
        "p99": max(s["p99"] for s in slices),
        "max": max(s["max"] for s in slices),
        "errors": sum(s["errors"] for s in slices),
        "applied": sum(s.get("applied", 0) for s in slices),
    }


if __name__ == "__main__":
    main()

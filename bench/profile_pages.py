"""Service time of each page of the web mix, in-process, without gunicorn or wrk.

bench_web.py measures throughput under load; this says where a page's time goes. It serves the
same pages as the mix (bench/web/mix.lua) through Flask's test client, on a copy of the
database bench_seed.py left, and prints the median and mean milliseconds per request of each
kind next to the baseline page's. `--profile KIND` adds a cProfile of that kind, sorted by
cumulative time.

    .venv/bin/python bench/profile_pages.py [--backend sqlite|postgresql] [--n 200]
        [--kinds search,detail,apply_form,review,dashboard,baseline] [--profile search]
        [--sampler] [--sort tottime] [--top 40]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "web"))

from bench_web import DEMO_PASSWORD, JOB_QUERIES, USER_AGENT, plan, upgraded_copy  # noqa: E402

KINDS = ("search", "detail", "apply_form", "review", "dashboard", "baseline")
# bench/web/mix.lua's shares of the pages measured here.
MIX_WEIGHTS = {"search": 35, "detail": 25, "apply_form": 5, "review": 15, "dashboard": 15}
ROUNDS = 20


def _statements(engine: Any, fetch: Callable[[], object], n: int = 10) -> int:
    """SQL statements per fetch (the mean of n)."""
    seen: list[int] = []

    def listener(*_args: Any) -> None:
        seen.append(1)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(n):
            fetch()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen) // n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--n", type=int, default=200, help="requests per kind")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--profile", choices=KINDS, help="cProfile this kind")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (e.g. tottime)")
    parser.add_argument(
        "--sampler",
        action="store_true",
        help="profile with pyinstrument (pip install pyinstrument): less distortion than cProfile",
    )
    args = parser.parse_args()

    url = upgraded_copy(args.backend)
    p = plan(url)
    os.environ["DATABASE_URL"] = url
    from bench_app import bench_app  # after DATABASE_URL: the app reads it when created

    from agency.extensions import db
    from agency.services.warmup import warm

    app = bench_app()
    warm(app)

    def client_for(email: str | None):  # type: ignore[no-untyped-def]
        c = app.test_client()
        c.environ_base.update({"HTTP_USER_AGENT": USER_AGENT, "REMOTE_ADDR": "127.0.0.1"})
        if email:
            page = c.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            assert token
            r = c.post(
                "/login",
                data={"csrf_token": token.group(1), "email": email, "password": DEMO_PASSWORD},
            )
            assert r.status_code == 302, r.status_code
        return c

    anon = client_for(None)
    staff = client_for("staff@demo.clinicmatch.test")
    clinic = client_for("clinic@demo.clinicmatch.test")
    cand = client_for(p["candidate_emails"][0])
    rng = random.Random(5)
    searches = ["/jobs" + ("?" + q if q else "") for q in JOB_QUERIES]
    pages: dict[str, Callable[[], object]] = {
        "search": lambda: anon.get(rng.choice(searches)),
        "detail": lambda: anon.get(f"/jobs/{rng.choice(p['detail_ids'])}"),
        "apply_form": lambda: cand.get(f"/me/apply/{rng.choice(p['apply_ids'])}"),
        "review": lambda: staff.get(f"/staff/openings/{rng.choice(p['review_ids'])}"),
        "dashboard": lambda: clinic.get("/clinic/"),
        "baseline": lambda: anon.get("/_bench/baseline"),
    }
    kinds = [k for k in args.kinds.split(",") if k]
    results: dict[str, list[float]] = {}
    statements: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    for kind in kinds:
        fetch = pages[kind]
        for _ in range(10):  # warm the templates and caches
            response = fetch()
        assert response.status_code == 200, (kind, response.status_code)  # type: ignore[attr-defined]
        statements[kind] = _statements(engine, fetch)
        results[kind] = []
    # The kinds take turns in short rounds: the box's speed drifts by a quarter within a
    # minute, and a kind measured in its own minute would carry that minute's speed.
    rounds = max(1, min(ROUNDS, args.n))
    for r in range(rounds):
        for kind in kinds:
            fetch = pages[kind]
            for _ in range(args.n // rounds + (1 if r < args.n % rounds else 0)):
                # CPU time of this process: the box's other load does not count.
                started = time.process_time()
                fetch()
                results[kind].append((time.process_time() - started) * 1000)
    base = statistics.median(results["baseline"]) if "baseline" in results else None
    print(f"{args.backend}, {args.n} requests per kind, in-process (test client), CPU ms")
    print(f"{'kind':<12} {'median ms':>10} {'mean ms':>9} {'x baseline':>11} {'queries':>8}")
    for kind, times in results.items():
        med = statistics.median(times)
        rel = f"{med / base:>11.2f}" if base else " " * 11
        mean = statistics.fmean(times)
        print(f"{kind:<12} {med:>10.2f} {mean:>9.2f} {rel} {statements[kind]:>8}")
    weighted = [(MIX_WEIGHTS[k], statistics.fmean(results[k])) for k in MIX_WEIGHTS if k in results]
    if base and len(weighted) == len(MIX_WEIGHTS):
        mix_ms = sum(w * t for w, t in weighted) / sum(w for w, _ in weighted)
        base_mean = statistics.fmean(results["baseline"])
        print(
            f"mix of these pages (weights {MIX_WEIGHTS}, the submitted application left out): "
            f"{mix_ms:.2f} ms mean, {mix_ms / base_mean:.2f} x the baseline's mean; "
            f"predicts a mix / baseline throughput near {base_mean / mix_ms:.2f}"
        )
    if args.profile and args.sampler:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        fetch = pages[args.profile]
        with sampler:
            for _ in range(args.n):
                fetch()
        print(sampler.output_text(show_all=False, short_mode=False))
    elif args.profile:
        profiler = cProfile.Profile()
        fetch = pages[args.profile]
        profiler.enable()
        for _ in range(args.n):
            fetch()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()

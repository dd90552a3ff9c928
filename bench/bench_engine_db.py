"""The engine against the database bench_seed.py left (100,000 candidates, 2,000 openings).

- `pool`: the first pool build of a process (what every deploy and worker restart pays), from
  columns read straight into arrays and, for comparison, through a `CandidateProfile` per
  candidate (the build before issue 23); each variant in its own fresh process, alternated,
  with the process's peak RSS growth during the build.
- `rescore`: `engine().rescore_all()` (every open opening against every active candidate, Match
  rows written), split into pool build, ranking (constraints, products, text cosines),
  explaining (the top k's components and row values, applicants outside the top k), writing
  (deletes, bulk inserts, stamps, commits) and the rest (reading openings and applicants).
  The big rescore computes in forked workers while this process writes (`_computed_batches`);
  `--sequential` forces the one-process loop, whose parts are timed one by one (the workers'
  own timings stay in the workers: the parallel run gives the total, the writing and the wait).

    .venv/bin/python bench/bench_engine_db.py [--backend sqlite|postgresql]
        [--part pool|rescore|all]
        [--rounds 2] [--sequential] [--processes N]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench/README.md (matching engine)

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_seed import database_url  # noqa: E402


def rss_mb() -> float:
    """The process's resident set now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def build_once(backend: str, variant: str) -> None:
    """One pool build in this (fresh) process; prints seconds and peak RSS growth."""
    os.environ["DATABASE_URL"] = database_url(backend)
    from agency import create_app
    from agency.services.engine.pool import PoolCache, active, fit_text_space, load_profiles
    from matching.ranking import CandidatePool

    app = create_app()
    with app.app_context():
        before = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        if variant == "columns":
            with PoolCache().reading() as pool:  # the app's own build
                pass
        else:
            profiles = load_profiles(active())
            space = fit_text_space([p.text for p in profiles])
            pool = CandidatePool.from_profiles(profiles, text_space=space)
            del profiles
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(
            f"{variant:<9} {len(pool):>8,} candidates  {seconds:5.1f} s (CPU {cpu:.1f} s)  "
            f"peak RSS growth {peak - before:6.0f} MB  (pool kept: {rss_mb() - before:.0f} MB)",
            flush=True,
        )


def pool_part(backend: str, rounds: int) -> None:
    print(f"\n{backend}: first pool build of a fresh process ({rounds} rounds, alternated)")
    for _ in range(rounds):
        for variant in ("columns", "profiles"):
            subprocess.run(
                [sys.executable, __file__, "--backend", backend, "--build-once", variant],
                check=True,
                timeout=540,
            )


def timed(owner: Any, name: str, bucket: list[float]) -> None:
    """Wrap owner.name so the seconds spent in it add up in bucket[0]."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket[0] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def rescore_part(backend: str, sequential: bool, processes: int | None) -> None:
    os.environ["DATABASE_URL"] = database_url(backend)
    from sqlalchemy import func, select

    from agency import create_app
    from agency.extensions import db
    from agency.models import Candidate, Opening
    from agency.services.engine import engine, rescoring
    from agency.services.engine.pool import PoolCache

    building, ranking, top, applicants, writing = [0.0], [0.0], [0.0], [0.0], [0.0]
    timed(PoolCache, "_build", building)
    timed(rescoring, "score_rows", ranking)  # constraints, products, text cosines
    timed(rescoring, "top_rows", top)  # the above + the top k's components and row values
    # Applicants outside the top k, explained (from the pool, then those the pool lacks).
    timed(rescoring, "_pool_applicant_rows", applicants)
    timed(rescoring, "_outside_rows", applicants)
    if sequential:
        rescoring.PARALLEL_MIN_PAIRS = sys.maxsize
    rescoring.RESCORE_PROCESSES = processes
    timed(rescoring, "_write_batch", writing)  # deletes, bulk inserts, stamps, commits
    timed(rescoring, "_deleted", writing)  # the check for candidates deleted meanwhile
    app = create_app()
    with app.app_context():
        people = db.session.scalar(select(func.count(Candidate.id)))
        jobs = db.session.scalar(select(func.count(Opening.id)).where(Opening.status == "open"))
        db.session.commit()
        started = time.perf_counter()
        stored = engine().rescore_all()
        total = time.perf_counter() - started
    explaining = top[0] - ranking[0] + applicants[0]
    reading = total - building[0] - top[0] - applicants[0] - writing[0]
    mode = "sequential" if sequential else f"{processes or os.cpu_count()} forked workers"
    print(
        f"\n{backend}: rescore_all ({mode}), {people:,} candidates x {jobs:,} open openings, "
        f"{stored:,} Match rows: {total:.1f} s, {total - building[0]:.1f} s after the pool build"
        f" (load average {os.getloadavg()[0]:.1f})"
    )
    if sequential:
        print(
            f"  pool build {building[0]:.1f} s, ranking {ranking[0]:.1f} s, "
            f"explaining {explaining:.1f} s, writing {writing[0]:.1f} s, "
            f"reading openings and applicants {reading:.1f} s"
        )
    else:
        print(
            f"  pool build {building[0]:.1f} s, writing {writing[0]:.1f} s, the rest (reading, "
            f"waiting for the workers) {total - building[0] - writing[0]:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--part", choices=["pool", "rescore", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sequential", action="store_true", help="rescore in one process")
    parser.add_argument("--processes", type=int, help="forked workers (default: one per core)")
    parser.add_argument("--build-once", choices=["columns", "profiles"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_once:
        build_once(args.backend, args.build_once)
        return
    print(f"bench_engine_db on {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if args.part in ("pool", "all"):
        pool_part(args.backend, args.rounds)
    if args.part in ("rescore", "all"):
        rescore_part(args.backend, args.sequential, args.processes)


if __name__ == "__main__":
    main()

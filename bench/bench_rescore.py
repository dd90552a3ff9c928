"""Rescore benchmark: one opening against every candidate, read from the database and written back.

On the database bench_seed.py left (100,000 candidates), per backend: the first pool build (what a
new worker pays once), `engine().rescore_opening(id)` with the pool cached (read the opening, rank,
write the top 100 Match rows, commit), the engine's `rank()` alone on the same pool as the
baseline, a profile edit seen by the next rescore through the delta sync (no reload), and the
other direction: the open openings that fit one candidate (`engine().openings_for`).

    .venv/bin/python bench/bench_rescore.py [--backend sqlite|postgresql|both] [--openings 40]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench/README.md (matching engine)

import argparse
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_seed import database_url  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(backend: str, n_openings: int) -> None:
    os.environ["DATABASE_URL"] = database_url(backend)
    from sqlalchemy import func, select

    from agency import create_app
    from agency.extensions import db
    from agency.models import Candidate, Match, Opening, utcnow
    from agency.services.engine import STORED_MATCHES_PER_OPENING, engine
    from matching.ranking import rank

    app = create_app()
    with app.app_context():
        bridge = engine()
        bridge.reset()
        n_candidates = db.session.scalar(select(func.count(Candidate.id)))
        ids = list(db.session.execute(select(Opening.id).where(Opening.status == "open")).scalars())
        db.session.commit()
        if not n_candidates or not ids:
            sys.exit(f"{backend}: no seeded data; run bench/bench_seed.py first")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with bridge.pool() as pool:
            pass
        build = time.perf_counter() - started
        db.session.commit()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        chosen = random.Random(8).sample(ids, min(n_openings, len(ids)))
        rescore, engine = [], []
        for oid in chosen:
            started = time.perf_counter()
            stored = bridge.rescore_opening(oid)
            rescore.append(time.perf_counter() - started)
            spec = bridge.opening_specs([oid])[0]
            db.session.commit()
            with bridge.pool() as pool:  # the kernel alone is timed, not the sync check
                started = time.perf_counter()
                rank(spec, pool, k=STORED_MATCHES_PER_OPENING, scorer=bridge.scorer)
                engine.append(time.perf_counter() - started)
        assert stored >= min(STORED_MATCHES_PER_OPENING, 1)

        # A profile edit is applied by the next use of the pool, without rebuilding it.
        candidate = db.session.execute(
            select(Candidate).where(Candidate.status == "active").limit(1)
        ).scalar_one()
        old_years = candidate.years_experience
        candidate.years_experience = 29.5
        candidate.updated_at = utcnow()
        db.session.commit()
        started = time.perf_counter()
        with bridge.pool() as synced:
            sync = time.perf_counter() - started
            row = synced.row_of[candidate.id]
            seen = bool(synced.store.X[row, synced.layout.experience] > 0.99)
        started = time.perf_counter()
        bridge.rescore_opening(chosen[0])
        after_edit = time.perf_counter() - started
        candidate.years_experience = old_years
        candidate.updated_at = utcnow()
        db.session.commit()
        with bridge.pool():
            pass
        db.session.commit()
        matches = db.session.scalar(select(func.count(Match.id)).where(Match.opening_id == oid))
        db.session.commit()

        # The other direction: the open openings that fit one candidate (their dashboard).
        people = list(
            db.session.execute(
                select(Candidate).where(Candidate.status == "active").limit(20)
            ).scalars()
        )
        started = time.perf_counter()
        bridge.openings_for(people[0], k=13)
        fits_first = time.perf_counter() - started
        fits = []
        for person in people:
            started = time.perf_counter()
            bridge.openings_for(person, k=13)
            fits.append(time.perf_counter() - started)
        db.session.commit()

    median_r, median_e = statistics.median(rescore), statistics.median(engine)
    print(f"\n{backend}: {n_candidates:,} candidates, {len(ids):,} open openings")
    print(f"  first pool build (once per process)      {build:.1f} s")
    print(
        f"  peak RSS of the process, build included  {rss_after / 1024:.0f} MB "
        f"(+{(rss_after - rss_before) / 1024:.0f} MB while building; transient profiles)"
    )
    print(
        f"  rescore_opening, {len(chosen)} openings  median {ms(median_r)}, "
        f"p95 {ms(pct(rescore, 0.95))}, max {ms(max(rescore))}  (target < 1 s)"
    )
    print(
        f"  engine rank() alone (baseline)           median {ms(median_e)}, "
        f"p95 {ms(pct(engine, 0.95))}"
    )
    print(f"  rescore / engine-only ratio              {median_r / median_e:.1f}x")
    print(
        f"  profile edit: delta sync {ms(sync)}, seen by the pool: {seen}, "
        f"same pool object: {synced is pool}, next rescore {ms(after_edit)}"
    )
    print(f"  Match rows stored for the last opening   {matches}")
    print(
        f"  openings that fit one candidate: first call (compiles {len(ids):,}) "
        f"{ms(fits_first)}, then median {ms(statistics.median(fits))}, max {ms(max(fits))} "
        f"over {len(fits)} candidates"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--openings", type=int, default=40)
    args = parser.parse_args()
    if args.backend == "both":
        # One process per backend: a new process is what a new worker is, and the peak RSS of
        # one backend's build must not hide the other's.
        for backend in ("sqlite", "postgresql"):
            subprocess.run(
                [sys.executable, __file__, "--backend", backend, "--openings", str(args.openings)],
                check=True,
                timeout=540,
            )
        return
    print(f"bench_rescore on {os.cpu_count()} CPUs")
    run(args.backend, args.openings)


if __name__ == "__main__":
    main()

"""Seed benchmark: `flask seed-demo` into an empty database, end to end, on SQLite and PostgreSQL.

Runs the real commands (`flask db upgrade`, then `flask seed-demo`) in child processes and prints
the insert rate, the time to score every open opening, the wall time and the peak memory.
The seeded database is kept for bench_rescore.py and bench_web.py.

    .venv/bin/python bench/bench_seed.py [--candidates 100000] [--openings 2000]
        [--backend sqlite|postgresql|both] [--rescore now|worker|none]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/clinicmatch-bench-scale.sqlite"))
PG_URL = os.environ.get(
    "BENCH_SCALE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinicmatch_scale"
)
# A run over nine minutes is a failure, not a figure, on a quiet box; a loaded shared box may
# need longer to leave a database for the other benchmarks (BENCH_SEED_TIMEOUT_S).
TIMEOUT_S = int(os.environ.get("BENCH_SEED_TIMEOUT_S", "540"))


def database_url(backend: str) -> str:
    return f"sqlite:///{SQLITE_PATH}" if backend == "sqlite" else PG_URL


def fresh_database(backend: str) -> str:
    """An empty database for the backend (the old one is dropped)."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return database_url(backend)
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return PG_URL


def flask(args: list[str], url: str) -> tuple[str, float]:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="agency", OPENBLAS_NUM_THREADS="1")
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, seconds


def figure(pattern: str, output: str) -> str:
    found = re.search(pattern, output)
    return found.group(1) if found else "?"


def run(backend: str, candidates: int, openings: int, rescore: str) -> dict[str, str]:
    url = fresh_database(backend)
    flask(["db", "upgrade"], url)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    output, wall = flask(
        [
            "seed-demo",
            "--candidates",
            str(candidates),
            "--openings",
            str(openings),
            "--rescore",
            rescore,
        ],
        url,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "backend": backend,
        "rows": figure(r"Inserted ([\d,]+) rows", output),
        "insert_s": figure(r"rows in ([\d.]+) s", output),
        "rows_per_s": figure(r"\(([\d,]+) rows/s\)", output),
        "matches": figure(r"([\d,]+) matches stored", output),
        "rescore_s": figure(r"matches stored in ([\d.]+) s", output),
        "wall_s": f"{wall:.1f}",
        # ru_maxrss is the largest child so far: the seed dwarfs `db upgrade`.
        "peak_rss_mb": f"{max(peak, before) / 1024:.0f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=2_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rescore", choices=["now", "worker", "none"], default="now")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"seed-demo --candidates {args.candidates} --openings {args.openings} "
        f"--rescore {args.rescore}; {os.cpu_count()} CPUs"
    )
    header = "backend     rows        insert s  rows/s    matches   rescore s  wall s  peak RSS MB"
    print(header)
    for backend in backends:
        r = run(backend, args.candidates, args.openings, args.rescore)
        print(
            f"{r['backend']:<11} {r['rows']:<11} {r['insert_s']:<9} {r['rows_per_s']:<9} "
            f"{r['matches']:<9} {r['rescore_s']:<10} {r['wall_s']:<7} {r['peak_rss_mb']}",
            flush=True,
        )
    print("target: >= 20,000 rows/s; the seeded databases are kept for bench_rescore/bench_web")


if __name__ == "__main__":
    main()

"""Shifts at scale: proposing people for one shift against 100,000 candidates, and booking a week
of 2,000 shifts (request, propose, offer to three, the first accepts) on a real database.

    python bench/bench_shifts.py [--backend postgresql|sqlite] [--candidates 100000]

PostgreSQL (the default) uses $BENCH_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/
clinicmatch_bench_shifts, dropping and creating its tables. Figures go to bench/README.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench_matching.py

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching import synthetic_profiles
from bench_outbox import ensure_pg_database
from sqlalchemy import select

from agency import create_app
from agency.extensions import db
from agency.models import Clinic, Opening, User, utcnow
from agency.services import demo, scoring, shift_proposals, shifts, taxonomy_sync
from matching.ranking import CandidatePool, rank

WEEK_SHIFTS = 2000
OFFERED_TO = 3


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def line(name: str, ms: list[float]) -> str:
    return (
        f"{name}: median {statistics.median(ms):.1f} ms, p95 {pct(ms, 0.95):.1f} ms,"
        f" max {max(ms):.1f} ms ({len(ms)} runs)"
    )


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/bench_shifts.sqlite"
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinicmatch_bench_shifts"
    )
    return ensure_pg_database(url)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--week", type=int, default=WEEK_SHIFTS, help="shifts to book")
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(args.backend),
            "SECRET_KEY": "bench-shifts",
            "OUTBOX_ENQUEUE_AFTER_COMMIT": False,
            "MAIL_SERVER": None,
            "MAIL_DIR": tempfile.mkdtemp(),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        taxonomy_sync.sync()
        t0 = time.perf_counter()
        demo.seed(n_candidates=3000, n_openings=60, n_clinics=12)
        db.session.commit()
        print(f"demo agency seeded ({args.backend}) in {time.perf_counter() - t0:.1f} s")
        book_a_week(args.week)
        propose_at_scale(args.candidates, args.repeat)
    return 0


def book_a_week(week_shifts: int) -> None:
    """2,000 shifts next week, each requested by its clinic, proposed, offered to three and
    accepted by the first, through the same service calls the pages make."""
    openings = [
        o
        for o in db.session.execute(select(Opening).where(Opening.status == "open")).scalars()
        if o.employment_type in ("temp", "per_diem", "temp_to_hire")
    ]
    members = {
        u.clinic_id: u
        for u in db.session.execute(select(User).where(User.clinic_id.is_not(None))).scalars()
    }
    staff = db.session.execute(select(User).where(User.email == demo.STAFF_EMAIL)).scalar_one()
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    timings: dict[str, list[float]] = {"request": [], "propose": [], "offer": [], "accept": []}
    booked = taken = 0
    started = time.perf_counter()
    for n in range(week_shifts):
        opening = openings[n % len(openings)]
        clinic = db.session.get(Clinic, opening.clinic_id)
        day = monday + timedelta(days=n % 7)
        hour = (7, 8, 9, 12, 15)[n % 5]
        t = time.perf_counter()
        shift = shifts.request_shift(
            clinic,
            shifts.ShiftRequest(opening.id, day, clock(hour), clock((hour + 8) % 24), 30),
            members[clinic.id],
        )
        db.session.commit()
        timings["request"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        proposed = shift_proposals.propose(shift, k=OFFERED_TO)
        timings["propose"].append((time.perf_counter() - t) * 1000)
        if not proposed:
            continue
        t = time.perf_counter()
        offers = shifts.offer(shift, [p.candidate_id for p in proposed], staff)
        db.session.commit()
        timings["offer"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for offer in offers:
            result = shifts.accept(offer)
            booked += result.booked
            taken += result.outcome == "taken"
        timings["accept"].append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    print(
        f"\n## a week of {week_shifts:,} shifts: {booked:,} booked, {taken:,} told it was taken,"
        f" {elapsed:.1f} s ({week_shifts / elapsed:.0f} shifts/s end to end)"
    )
    for step, ms in timings.items():
        if ms:
            print(line(f"  {step}", ms))


def propose_at_scale(n: int, repeat: int) -> None:
    """`shift_proposals.propose` for one shift with the process's pool swapped for `n`
    synthetic candidates: the engine's vectorised ranking plus the busy and record queries
    against the week just booked."""
    t0 = time.perf_counter()
    profiles = synthetic_profiles(n)
    texts = [o.text for o in scoring.load_opening_specs()]
    big = CandidatePool.from_profiles(profiles, opening_texts=texts)
    print(
        f"\n## proposing for one shift against {n:,} candidates (pool built in "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    with scoring._lock:  # the bench's own pool in place of the database's (same process)
        scoring._state.pool, scoring._state.synced_at = big, utcnow() + timedelta(days=1)
        scoring._state.database = str(db.engine.url)
    shift = (
        db.session.execute(
            select(shifts.Shift).where(shifts.Shift.status == "open").limit(1)
        ).scalar_one_or_none()
        or db.session.execute(select(shifts.Shift).limit(1)).scalar_one()
    )
    shift = shifts.get_shift(shift.id)
    assert shift is not None
    shift_proposals.propose(shift, k=20)  # warm: compiled layout, caches
    full, engine = [], []
    zone = shifts.clinic_zone(shift.clinic)
    for _ in range(repeat):
        t = time.perf_counter()
        found = shift_proposals.propose(shift, k=20)
        full.append((time.perf_counter() - t) * 1000)
        starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
        spec = replace(
            scoring.opening_spec(shift.opening),
            shift_mask=shift_proposals.shift_mask(starts, ends),
            start_date=starts.date(),
        )
        t = time.perf_counter()
        rank(spec, big, k=20, scorer=scoring.scorer())
        engine.append((time.perf_counter() - t) * 1000)
    print(line("  propose() (engine + busy query + records)", full))
    print(line("  engine rank() alone, shift-narrowed spec", engine))
    print(f"  proposed {len(found)} people; target < 100 ms")


if __name__ == "__main__":
    raise SystemExit(main())

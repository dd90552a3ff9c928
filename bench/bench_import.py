"""Import benchmark: N candidates from a generated CSV through the staff import job.

The job runs as the worker runs it (imports.run_slice, slice after slice, each committing its
batches), on PostgreSQL by default. Printed: rows/s for the whole job (counting the file's rows,
checking each with the intake form's rules, inserting users, candidates, skills, audit events,
invitations and duplicate flags), the same without invitations, the share of the time spent on
the row checks alone (measured separately on the same rows), a re-import of the first file, and
peak memory (the process's maximum resident size, before and after the first import). The jobs
run in the worker's slices (SLICE_SECONDS, each slice reading the file anew up to where the last
one stopped) unless --slice-seconds says otherwise; before session 15 they ran in one slice. Each
import also prints its CPU seconds: this process's (every thread) and, when PostgreSQL runs on
this machine, its backends' for the bench database (read from /proc): on a shared box the
wall-clock rate measures the wait for a core as much as the code.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--backend postgresql|sqlite]
        [--slice-seconds 8]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_outbox import ensure_pg_database
from sqlalchemy import func, select, text

from agency import create_app
from agency.extensions import db
from agency.models import Candidate, ImportJob, OutboxMessage, Role, User
from agency.services import geo, imports, taxonomy_sync

FIRST = ["Ann", "Bob", "Carla", "Dev", "Elena", "Frank", "Grace", "Hugo", "Ines", "Jamal"]
LAST = ["Lee", "Garcia", "Smith", "Nguyen", "Patel", "Brown", "Cohen", "Okafor", "Rossi", "Kim"]
ZIPS = ["02139", "02138", "02115", "02116", "02118", "02134", "02143", "02144", "02148", "02155"]
SKILLS = ["appointment_scheduling:3", "customer_service", "insurance_verification:2", ""]


def generated_csv(rows: int, tag: str) -> bytes:
    """A realistic file: names repeat, ZIPs cluster in one metro area, one bad row in 50."""
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "Email Address", "Phone", "ZIP", "Role", "Years"])
    for n in range(rows):
        bad = n % 50 == 49
        writer.writerow(
            [
                rng.choice(FIRST) + str(n % 997),
                rng.choice(LAST),
                "not-an-email" if bad else f"person{n}.{tag}@example.com",
                f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
                rng.choice(ZIPS),
                rng.choice(["receptionist", "secretary", "hybrid", ""]),
                str(rng.randint(0, 30)),
            ]
        )
    return out.getvalue().encode()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/bench_import.sqlite"
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinicmatch_bench_import"
    )
    return ensure_pg_database(url)


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backends connected to this database (None on
    SQLite, or when the server's processes are not readable here)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    pids = list(
        db.session.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
    )
    db.session.commit()
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def cpu_note(process: float, server: tuple[float | None, float | None]) -> str:
    before, after = server
    if before is None or after is None:
        return f"CPU {process:.1f} s"
    return f"CPU {process:.1f} s here + {after - before:.1f} s PostgreSQL"


def run_job(data: bytes, staff: User, invitations: bool) -> tuple[float, ImportJob, int, str]:
    """Import `data` slice after slice, as the worker would; the seconds, the finished job, the
    number of slices and the CPU note."""
    job = imports.create("candidates", data, "bench.csv", staff)
    db.session.commit()
    header, _ = imports.preview(job)
    imports.start(job, imports.guess_mapping("candidates", header), invitations, staff)
    db.session.commit()
    slices = 0
    server_before = server_cpu()
    cpu = time.process_time()
    started = time.perf_counter()
    while job.status != "done":
        imports.run_slice(job.id)  # what the outbox handler calls, slice after slice
        slices += 1
        db.session.expire_all()
        job = db.session.get(ImportJob, job.id)  # type: ignore[assignment]
    seconds = time.perf_counter() - started
    note = cpu_note(time.process_time() - cpu, (server_before, server_cpu()))
    return seconds, job, slices, note


def checks_alone(data: bytes) -> float:
    """Seconds for the row checks alone (the intake form's rules) over the same rows."""
    from agency.staff.import_rows import CandidateRows

    check = CandidateRows()
    reader = csv.reader(io.StringIO(data.decode()))
    header = next(reader)
    mapping = imports.guess_mapping("candidates", header)
    started = time.perf_counter()
    for row in reader:
        check({name: row[i].strip() for name, i in mapping.items()})
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--slice-seconds", type=float, default=imports.SLICE_SECONDS)
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(args.backend),
            "SECRET_KEY": "bench-import",
            "OUTBOX_ENQUEUE_AFTER_COMMIT": False,
            "MAIL_SERVER": None,
            "MAIL_DIR": tempfile.mkdtemp(),
            "UPLOAD_DIR": tempfile.mkdtemp(),
            "IMPORT_SLICE_SECONDS": args.slice_seconds,
        }
    )
    print(f"load average before: {os.getloadavg()}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        taxonomy_sync.sync()
        staff = User(email="bench-staff@example.com", password_hash="x", role=Role.STAFF.value)
        db.session.add(staff)
        db.session.commit()
        data = generated_csv(args.rows, "a")
        # A process reads the ZIP table once (the worker at start-up, see warmup.py): not a cost
        # of the rows.
        geo.load_table()
        print(
            f"{args.rows} rows, {len(data) / 1e6:.1f} MB of CSV ({args.backend}; "
            f"slices of {args.slice_seconds:g} s)"
        )
        before = max_rss_mb()
        seconds, job, slices, cpu = run_job(data, staff, invitations=True)
        print(
            f"with invitations: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s "
            f"({job.created_count} added, {job.error_count} bad rows, {slices} slice(s); {cpu}); "
            f"max resident size {before:.0f} MB before, {max_rss_mb():.0f} MB after"
        )
        seconds2, job2, slices2, cpu2 = run_job(
            generated_csv(args.rows, "b"), staff, invitations=False
        )
        print(
            f"without invitations: {seconds2:.1f} s, {args.rows / seconds2:,.0f} rows/s "
            f"({job2.created_count} added, {slices2} slice(s); {cpu2})"
        )
        checks = checks_alone(data)
        print(
            f"row checks alone: {checks:.1f} s ({args.rows / checks:,.0f} rows/s), "
            f"{checks / seconds:.0%} of the first import"
        )
        seconds3, job3, _, cpu3 = run_job(data, staff, invitations=True)
        print(
            f"re-import of the first file: {seconds3:.1f} s, {args.rows / seconds3:,.0f} rows/s "
            f"({job3.created_count} added, {job3.existing_count} already on file; {cpu3})"
        )
        people = db.session.execute(select(func.count()).select_from(Candidate)).scalar_one()
        mails = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
        print(f"candidates {people}, outbox rows {mails}")
    print(f"max resident size {max_rss_mb():.0f} MB; load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

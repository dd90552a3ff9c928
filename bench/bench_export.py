"""Export benchmark: 100,000 candidates as CSV and as XLSX through the staff export route.

The candidates are written straight into the database (COPY), then a logged-in staff member
downloads /staff/candidates/export?format=csv and ?format=xlsx through the app (the test client:
the route, its query, the streamed body). Printed per format: rows/s and seconds to the last byte,
the size, and peak memory during the download (tracemalloc's peak of Python allocations, in a
second run so the timing run is not slowed by tracing), beside the same peak for holding the
rows as a list (what a non-streamed export would keep).

    .venv/bin/python bench/bench_export.py [--rows 100000] [--backend postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_outbox import ensure_pg_database
from sqlalchemy import select

from agency import create_app
from agency.extensions import db
from agency.models import Candidate, Role, User, utcnow
from agency.services import bulk, passwords, taxonomy_sync

PASSWORD = "bench-export-password-2026"


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/bench_export.sqlite"
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinicmatch_bench_export"
    )
    return ensure_pg_database(url)


def seed(rows: int) -> None:
    now = utcnow()
    user_ids = bulk.insert_with_ids(
        User,
        [
            {
                "email": f"export{n}@example.com",
                "password_hash": "!",
                "role": Role.CANDIDATE.value,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(rows)
        ],
    )
    bulk.insert_with_ids(
        Candidate,
        [
            {
                "user_id": uid,
                "first_name": f"First{n}",
                "last_name": "Exported",
                "phone": "(617) 555-0100",
                "zip_code": "02139",
                "desired_roles": ["receptionist"],
                "years_experience": float(n % 20),
                "created_at": now,
                "updated_at": now,
            }
            for n, uid in enumerate(user_ids)
        ],
    )
    db.session.commit()


def download(client: object, fmt: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(f"/staff/candidates/export?format={fmt}", buffered=False)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return time.perf_counter() - started, size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(args.backend),
            "SECRET_KEY": "bench-export",
            "WTF_CSRF_ENABLED": False,
            "OUTBOX_ENQUEUE_AFTER_COMMIT": False,
            "MAIL_SERVER": None,
            "MAIL_DIR": tempfile.mkdtemp(),
            "RATELIMIT_ENABLED": False,
        }
    )
    print(f"load average before: {os.getloadavg()}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        taxonomy_sync.sync()
        t0 = time.perf_counter()
        seed(args.rows)
        staff = User(
            email="bench-staff@example.com",
            password_hash=passwords.hash_password(PASSWORD),
            role=Role.STAFF.value,
        )
        db.session.add(staff)
        db.session.commit()
        print(f"{args.rows} candidates seeded ({args.backend}) in {time.perf_counter() - t0:.1f} s")
    client = app.test_client()
    login = client.post("/login", data={"email": "bench-staff@example.com", "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    for fmt in ("csv", "xlsx"):
        seconds, size = download(client, fmt)
        # Printed before the traced run, which tracemalloc slows several times over: a run cut
        # short by a time limit still shows the speed.
        print(
            f"{fmt}: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s, {size / 1e6:.1f} MB",
            flush=True,
        )
        tracemalloc.start()
        download(client, fmt)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{fmt}: peak Python memory while streaming {peak / 1e6:.1f} MB", flush=True)
    with app.app_context():
        tracemalloc.start()
        held = list(db.session.execute(select(Candidate)).scalars())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"for scale: holding the {len(held)} candidates as objects peaks at {peak / 1e6:.0f} MB"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

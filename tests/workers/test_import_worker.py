"""An import run by a real Celery worker: the job goes through the outbox, its slices run in the
worker, the invitations it stages reach the SMTP server."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import Candidate, ImportJob, Role
from agency.services import imports
from tests.staff.import_helpers import csv_bytes
from tests.workers.conftest import SmtpServer, Workers, wait_for


def test_a_worker_runs_the_import_and_the_invitations_arrive(
    app: Any, make_user: Any, taxonomy: Any, smtp: SmtpServer, workers: Workers
) -> None:
    staff = make_user(Role.STAFF)
    rows = [["First name", "Last name", "E-mail", "ZIP"]]
    rows += [[f"W{n}", "Worker", f"w{n}@example.com", "02139"] for n in range(3)]
    rows.append(["Bad", "Row", "nope", "02139"])
    job = imports.create("candidates", csv_bytes(rows), "w.csv", staff)
    db.session.commit()
    header, _ = imports.preview(job)
    imports.start(job, imports.guess_mapping("candidates", header), True, staff)
    db.session.commit()  # after this commit the outbox hands the job to the broker
    workers.start("importer", UPLOAD_DIR=app.config["UPLOAD_DIR"])

    def finished() -> bool:
        db.session.expire_all()
        return db.session.get(ImportJob, job.id).status == "done"

    wait_for(finished, 60, "the import job to finish")
    done = db.session.get(ImportJob, job.id)
    assert (done.created_count, done.error_count) == (3, 1)
    people = db.session.execute(db.select(Candidate.first_name).order_by(Candidate.id)).scalars()
    assert list(people) == ["W0", "W1", "W2"]
    wait_for(lambda: len(smtp.sink.keys()) == 3, 60, "three invitations")
    sent = smtp.sink.keys()
    assert all(key.startswith("account-claim:") for key in sent)

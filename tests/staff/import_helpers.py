"""Build import files and drive an import the way staff do: upload, map, let the job run."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook

from agency.extensions import db
from agency.models import ImportJob, OutboxMessage, OutboxStatus
from agency.services import delivery

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Any, data: bytes, name: str, kind: str = "candidates", **extra: Any) -> Any:
    return client.post(
        "/staff/import",
        data={"kind": kind, "file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data",
    )


def job_id_of(response: Any) -> int:
    match = re.search(r"/staff/import/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def guessed_mapping(client: Any, job_id: int) -> dict[str, str]:
    """The mapping form as the page fills it in (the selected option of each select)."""
    page = client.get(f"/staff/import/{job_id}").get_data(as_text=True)
    out = {}
    for name, body in re.findall(r'<select[^>]*name="(col_\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        out[name] = chosen.group(1) if chosen else ""
    return out


def run_jobs() -> None:
    """Deliver the import's outbox rows (each slice stages the next) until none is pending."""
    for _ in range(200):
        pending = list(
            db.session.execute(
                db.select(OutboxMessage.id).where(
                    OutboxMessage.kind == "import_rows",
                    OutboxMessage.status == OutboxStatus.PENDING.value,
                )
            ).scalars()
        )
        if not pending:
            return
        for message_id in pending:
            delivery.deliver(message_id)
    raise AssertionError("the import did not finish")


def import_file(
    client: Any, data: bytes, name: str, kind: str = "candidates", **extra: Any
) -> ImportJob:
    """Upload, accept the guessed mapping, run the job; the finished job."""
    job_id = job_id_of(upload(client, data, name, kind, **extra))
    form = guessed_mapping(client, job_id)
    response = client.post(f"/staff/import/{job_id}", data={**form, "send_invitations": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    run_jobs()
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job is not None
    return job

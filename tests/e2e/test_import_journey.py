"""Staff import a small XLSX in the browser: map the columns, watch the progress bar reach 100%,
find the imported people in the candidate list."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import expect

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, Role
from agency.services import delivery
from tests.factories import PASSWORD
from tests.staff.import_helpers import xlsx_bytes


def _worker(app: Flask, stop: threading.Event) -> None:
    """What a Celery worker does with the import's outbox rows: deliver each slice, which
    commits its batches and stages the next one (the browser test runs no Celery)."""
    with app.app_context():
        while not stop.is_set():
            pending = db.session.execute(
                db.select(OutboxMessage.id).where(
                    OutboxMessage.kind == "import_rows",
                    OutboxMessage.status == OutboxStatus.PENDING.value,
                )
            ).scalars()
            ids = list(pending)
            db.session.rollback()
            for message_id in ids:
                delivery.deliver(message_id)
            stop.wait(0.2)


def test_staff_import_an_xlsx_and_watch_it_finish(
    app: Flask, page: Any, shot: Any, make_user: Any, taxonomy: Any, tmp_path: Path
) -> None:
    staff = make_user(Role.STAFF)
    app.config["IMPORT_SLICE_SECONDS"] = 0  # a slice per batch: the bar moves in steps
    rows: list[list[Any]] = [["First Name", "Last Name", "E-mail", "ZIP", "Years"]]
    rows += [[f"Person{n}", "Xlsximport", f"person{n}@example.com", "02139", n] for n in range(6)]
    rows.append(["Broken", "Row", "not-an-email", "02139", 1])
    workbook = tmp_path / "phone-list.xlsx"
    workbook.write_bytes(xlsx_bytes(rows))
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(app, stop), daemon=True)
    worker.start()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill(staff.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/staff/import")
        page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(workbook))
        page.get_by_role("button", name="Upload and preview").click()
        expect(page.get_by_role("heading", name="Check the columns")).to_be_visible()
        expect(page.get_by_role("cell", name="person0@example.com")).to_be_visible()
        expect(page.get_by_label("E-mail (required)")).to_have_value("2")
        shot("mapping")
        page.get_by_role("button", name="Start the import").click()
        expect(page.locator('[data-field="percent"]')).to_have_text("100", timeout=60_000)
        expect(page.locator('[data-field="created"]')).to_have_text("6")
        expect(page.locator('[data-field="errors"]')).to_have_text("1")
        expect(page.locator("progress")).to_have_attribute("value", "100")
        shot("done")
        page.get_by_role("link", name="Candidates", exact=True).last.click()
        expect(page.get_by_text("Person5 Xlsximport")).to_be_visible()
        expect(page.get_by_text("Person0 Xlsximport")).to_be_visible()
    finally:
        stop.set()
        worker.join(timeout=10)

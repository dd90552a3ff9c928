"""Staff import a small XLSX in the browser: map the columns, watch the progress bar reach 100%,
find the imported people in the candidate list, and fix the duplicate the import brought in (a
person already on file under another e-mail) by merging the two records side by side."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import expect

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, Role
from agency.services import delivery
from tests.e2e.browser import log_in
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
    app: Flask,
    page: Any,
    shot: Any,
    make_user: Any,
    make_candidate: Any,
    taxonomy: Any,
    tmp_path: Path,
) -> None:
    staff = make_user(Role.STAFF)
    # Registered months ago with a phone and no ZIP code or skills; the agency's spreadsheet
    # lists her again under her work e-mail, with her ZIP code and a skill.
    on_file = make_candidate(
        first_name="Dana", last_name="Whitfield", phone="(617) 555-0142", zip_code=""
    )
    app.config["IMPORT_SLICE_SECONDS"] = 0  # a slice per batch: the bar moves in steps
    rows: list[list[Any]] = [
        ["First Name", "Last Name", "E-mail", "Phone", "ZIP", "Years", "Skills"]
    ]
    rows += [
        [f"Person{n}", "Xlsximport", f"person{n}@example.com", "", "02139", n, ""] for n in range(6)
    ]
    rows.append(
        [
            "Dana",
            "Whitfield",
            "dana@work.example.org",
            "617-555-0142",
            "02139",
            4,
            "insurance_verification:3",
        ]
    )
    rows.append(["Broken", "Row", "not-an-email", "", "02139", 1, ""])
    workbook = tmp_path / "phone-list.xlsx"
    workbook.write_bytes(xlsx_bytes(rows))
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(app, stop), daemon=True)
    worker.start()
    try:
        log_in(page, staff.email)
        page.goto("/staff/import")
        page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(workbook))
        page.get_by_role("button", name="Upload and preview").click()
        expect(page.get_by_role("heading", name="Check the columns")).to_be_visible()
        expect(page.get_by_role("cell", name="person0@example.com")).to_be_visible()
        expect(page.get_by_label("E-mail (required)")).to_have_value("2")
        shot("mapping")
        page.get_by_role("button", name="Start the import").click()
        expect(page.locator('[data-field="percent"]')).to_have_text("100", timeout=60_000)
        expect(page.locator('[data-field="created"]')).to_have_text("7")
        expect(page.locator('[data-field="errors"]')).to_have_text("1")
        expect(page.locator("progress")).to_have_attribute("value", "100")
        shot("done")
        # The finished job's page fits a phone (the report's long button label once ran off it).
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]") == [390, 390]
        shot("done-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("link", name="Candidates", exact=True).last.click()
        expect(page.get_by_text("Person5 Xlsximport")).to_be_visible()
        expect(page.get_by_text("Person0 Xlsximport")).to_be_visible()

        # The import flagged Dana's second record (the same phone): compare and merge.
        page.goto("/staff/duplicates")
        page.get_by_role("link", name="Dana Whitfield and Dana Whitfield").click()
        expect(page.get_by_role("heading", name="Is this one person?")).to_be_visible()
        expect(page.get_by_text("same phone")).to_be_visible()
        records = page.locator("section.card")
        expect(records).to_have_count(2)
        expect(records.filter(has_text="dana@work.example.org")).to_contain_text("02139")
        shot("duplicate-pair")
        page.once("dialog", lambda dialog: dialog.accept())  # "This cannot be undone."
        page.get_by_role("button", name=f"Keep this record (#{on_file.id}, Dana Whitfield)").click()
        page.wait_for_url(f"**/staff/candidates/{on_file.id}")
        expect(
            page.get_by_text("Dana Whitfield's record was merged into this one.")
        ).to_be_visible()
        # The kept record now holds what the imported one brought: the ZIP code, the skill,
        # the longer experience; her own login and phone stay.
        main = page.locator("main")
        expect(main).to_contain_text("ZIP 02139")
        expect(main).to_contain_text("4.0 years")
        expect(main.locator(".chip", has_text="Insurance verification")).to_contain_text("3")
        expect(main).to_contain_text("(617) 555-0142")
        shot("merged")
        page.goto("/staff/duplicates")
        expect(page.get_by_text("Dana Whitfield and Dana Whitfield")).to_have_count(0)
    finally:
        stop.set()
        worker.join(timeout=10)

"""Issue 19, "how it is checked": a shift is worked, the worker submits the timesheet, the clinic
approves it, staff draft and issue the week's invoice, and the clinic downloads it as a PDF that
carries the invoice number and the amount."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader

from agency.extensions import db
from agency.models import EmploymentType, Invoice, Role, Shift, ShiftBooking, Timesheet, utcnow
from agency.services import invoicing
from tests.e2e.browser import log_in


def test_a_worked_shift_becomes_an_issued_invoice_pdf(
    browser: Any,
    live_server: str,
    shot: Any,
    page: Any,
    tmp_path: Path,
    taxonomy: Any,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_user: Any,
) -> None:
    clinic = make_clinic(name="Harborview Family Clinic")
    opening = make_opening(clinic, employment_type=EmploymentType.PER_DIEM.value)
    worker = make_candidate(first_name="Nadia", last_name="Okafor")
    staff = make_user(Role.STAFF)
    # The shift happened: 8 hours two days ago, with a 30-minute break (7.5 paid hours).
    starts = (utcnow() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    shift = Shift(
        opening_id=opening.id,
        clinic_id=clinic.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        break_minutes=30,
        headcount=1,
        booked_count=1,
        status="filled",
    )
    db.session.add(shift)
    db.session.flush()
    db.session.add(
        ShiftBooking(
            shift_id=shift.id,
            candidate_id=worker.id,
            pay_rate=Decimal("21.00"),
            bill_rate=Decimal("34.00"),
        )
    )
    db.session.commit()

    # 1. The worker sends the hours, prefilled from the booking.
    log_in(page, worker.user.email)
    page.goto("/me/timesheets")
    page.get_by_role("link", name="Send my hours").click()
    page.get_by_role("button", name="Send to the clinic").click()
    db.session.expire_all()
    sheet = db.session.execute(db.select(Timesheet)).scalar_one()
    assert sheet.status == "submitted"

    # 2. The clinic approves it in one click.
    clinic_page = browser.new_context(base_url=live_server).new_page()
    log_in(clinic_page, clinic.members[0].email)
    clinic_page.goto("/clinic/timesheets")
    clinic_page.get_by_role("button", name="Approve").first.click()
    db.session.expire_all()
    assert db.session.get(Timesheet, sheet.id).status == "approved"

    # 3. Staff run invoicing for that week and issue the draft.
    staff_page = browser.new_context(base_url=live_server).new_page()
    log_in(staff_page, staff.email)
    staff_page.goto("/staff/invoices")
    week = invoicing.local_date(clinic, starts).isoformat()
    staff_page.get_by_label("Week of").fill(week)
    staff_page.get_by_role("button", name="Draft invoices").click()
    expect(staff_page.get_by_text("1 draft invoice ready")).to_be_visible()
    staff_page.get_by_role("link", name="Draft invoice").first.click()
    expect(staff_page.get_by_text("$255.00").first).to_be_visible()  # 7.5 h x 34.00
    staff_page.get_by_role("button", name="Issue this invoice").click()
    expect(staff_page.get_by_text("is issued")).to_be_visible()
    db.session.expire_all()
    invoice = db.session.execute(db.select(Invoice)).scalar_one()
    assert invoice.number and invoice.total == Decimal("255.00")

    # 4. The clinic finds it in its portal and downloads the PDF.
    clinic_page.goto("/clinic/invoices")
    clinic_page.get_by_role("link", name=invoice.number).click()
    expect(
        clinic_page.get_by_role("heading", level=1, name=f"Invoice {invoice.number}")
    ).to_be_visible()
    assert "$21.00" not in clinic_page.content()  # never the pay rate
    with clinic_page.expect_download() as info:
        clinic_page.get_by_role("link", name="PDF").click()
    saved = tmp_path / "invoice.pdf"
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert invoice.number in text and "$255.00" in text and "Nadia Okafor" in text
    shot("staff-issued")

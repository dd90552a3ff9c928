"""Issue 18, section 4: a clinic requests a shift, staff offer it to two people, one accepts
from the e-mail's link, the other is told it is taken, the clinic marks attendance, and the
worker's reliability changes on their next ranking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from agency.extensions import db
from agency.models import EmploymentType, OutboxMessage, Role, Shift, ShiftBooking, utcnow
from agency.services import reliability
from agency.services.engine import engine
from tests.e2e.browser import log_in


def _mail(template: str, to: str) -> dict[str, Any]:
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    found = [m.payload for m in rows.scalars() if m.payload.get("template") == template]
    return next(p for p in found if p["to"] == to)


def test_a_shift_from_request_to_attendance(
    browser: Any,
    live_server: str,
    shot: Any,
    page: Any,
    taxonomy: Any,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_user: Any,
) -> None:
    engine().reset()
    clinic = make_clinic()
    opening = make_opening(clinic, employment_type=EmploymentType.PER_DIEM)
    ana, ben = make_candidate(first_name="Ana"), make_candidate(first_name="Ben")
    staff = make_user(Role.STAFF)

    # 1. The clinic requests a shift for its per-diem opening.
    log_in(page, clinic.members[0].email)
    page.goto("/clinic/shifts/new")
    page.get_by_label("Opening").select_option(str(opening.id))
    page.get_by_label("Date").fill((date.today() + timedelta(days=4)).isoformat())
    page.get_by_label("Starts").fill("08:00")
    page.get_by_label("Ends").fill("16:30")
    page.get_by_label("Notes for the worker").fill("Ask for Dana at the front desk")
    shot("clinic-requests")
    page.get_by_role("button", name="Request the shift").click()
    expect(page.get_by_text("Your shift is requested")).to_be_visible()
    shift = db.session.execute(db.select(Shift)).scalar_one()

    # 2. Staff offer it to both proposed people at once.
    staff_page = browser.new_context(base_url=live_server).new_page()
    log_in(staff_page, staff.email)
    staff_page.goto(f"/staff/shifts/{shift.id}")
    for person in (ana, ben):
        staff_page.locator(f'input[name="candidate_ids"][value="{person.id}"]').check()
    staff_page.get_by_role("button", name="Offer the shift").click()
    expect(staff_page.get_by_text("Offered to 2 people")).to_be_visible()

    # 3. Ben accepts from the link in his e-mail, without logging in; Ana is too late.
    ben_link = urlsplit(_mail("shift_offer", ben.user.email)["context"]["accept_url"]).path
    ana_link = urlsplit(_mail("shift_offer", ana.user.email)["context"]["accept_url"]).path
    mailbox = browser.new_context(base_url=live_server).new_page()
    mailbox.goto(ben_link)
    mailbox.get_by_role("button", name="Accept this shift").click()
    expect(mailbox.get_by_text("The shift is yours")).to_be_visible()
    mailbox.goto(ana_link)
    expect(mailbox.get_by_text("someone else accepted first")).to_be_visible()
    db.session.expire_all()
    assert _mail("shift_taken", ana.user.email)["context"]["clinic_name"] == clinic.name

    # 4. The shift happened (moved into the past here); the clinic marks Ben as a no-show.
    booking = db.session.execute(db.select(ShiftBooking)).scalar_one()
    assert booking.candidate_id == ben.id
    before = {m.candidate_id: m.score for m in engine().rank(opening, k=10)}
    moved = db.session.get(Shift, shift.id)
    moved.starts_at = utcnow() - timedelta(hours=9)
    moved.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page.goto(f"/clinic/shifts/{shift.id}")
    page.get_by_role("button", name="Did not come").click()
    expect(page.get_by_text("attendance is recorded")).to_be_visible()
    shot("clinic-marks-attendance")

    # 5. Ben's next ranking reads the record: below Ana, who has none.
    db.session.expire_all()
    after = {m.candidate_id: m.score for m in engine().rank(opening, k=10)}
    assert after[ben.id] < before[ben.id]
    assert after[ben.id] < after[ana.id]
    assert reliability.record_of(ben.id).describe() == "1 shift, 1 no-show"

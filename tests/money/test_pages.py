"""The money pages by audience: the worker sees pay and never the bill, the clinic sees the bill
and never the pay, staff see both and the margin; other people's timesheets are 404; the e-mail
link asks on GET and acts on POST."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from agency.extensions import db
from agency.models import RateCard, TimesheetStatus
from agency.services import rates, timesheets
from tests.conftest import login
from tests.money.conftest import booked_sheet
from tests.shifts.conftest import ShiftScene

NY = ZoneInfo("America/New_York")


def submitted(scene: ShiftScene) -> Any:
    """A sheet of 8h (break 30) at 21.37 / 38.91: pay 160.28, bill 291.83 (7.5 h, half up)."""
    sheet = booked_sheet(scene, datetime(2026, 11, 17, 8, tzinfo=NY), 8, break_minutes=30)
    timesheets.submit(sheet, timesheets.local_times(sheet), scene.workers[0].user)
    db.session.commit()
    assert (sheet.pay_amount, sheet.bill_amount) == (Decimal("160.28"), Decimal("291.83"))
    return sheet


def test_the_worker_sees_pay_and_never_the_bill(money_scene: ShiftScene, client: Any) -> None:
    sheet = submitted(money_scene)
    login(client, money_scene.workers[0].user.email)
    for url in ("/me/timesheets", f"/me/timesheets/{sheet.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "21.37" in page
        assert "38.91" not in page and "291.83" not in page, url
    assert "160.28" in client.get("/me/timesheets").get_data(as_text=True)
    export = client.post("/me/export").get_data(as_text=True)
    assert "21.37" in export and "38.91" not in export and "291.83" not in export


def test_the_clinic_sees_the_bill_and_never_the_pay(money_scene: ShiftScene, client: Any) -> None:
    sheet = submitted(money_scene)
    login(client, money_scene.member.email)
    page = client.get("/clinic/timesheets").get_data(as_text=True)
    assert f'data-timesheet="{sheet.id}"' in page
    assert "38.91" in page and "291.83" in page
    assert "21.37" not in page and "160.28" not in page
    response = client.post(f"/clinic/timesheets/{sheet.id}/approve")
    assert response.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == TimesheetStatus.APPROVED.value
    page = client.get("/clinic/timesheets?show=all").get_data(as_text=True)
    assert "Approved" in page and "21.37" not in page


def test_a_dispute_without_a_reason_is_refused_by_the_field(
    money_scene: ShiftScene, client: Any
) -> None:
    sheet = submitted(money_scene)
    login(client, money_scene.member.email)
    page = client.post(f"/clinic/timesheets/{sheet.id}/dispute", data={"reason": " "})
    assert "Say what is wrong with the hours." in page.get_data(as_text=True)
    db.session.refresh(sheet)
    assert sheet.status == TimesheetStatus.SUBMITTED.value
    client.post(f"/clinic/timesheets/{sheet.id}/dispute", data={"reason": "Left at 3 pm"})
    db.session.refresh(sheet)
    assert (sheet.status, sheet.dispute_reason) == ("disputed", "Left at 3 pm")


def test_other_clinics_and_workers_get_404(
    money_scene: ShiftScene, client: Any, make_clinic: Any
) -> None:
    sheet = submitted(money_scene)
    other = make_clinic()
    login(client, other.members[0].email)
    assert f'data-timesheet="{sheet.id}"' not in client.get("/clinic/timesheets?show=all").get_data(
        as_text=True
    )
    assert client.post(f"/clinic/timesheets/{sheet.id}/approve").status_code == 404
    assert (
        client.post(f"/clinic/timesheets/{sheet.id}/dispute", data={"reason": "x"}).status_code
        == 404
    )
    client.post("/logout")
    login(client, money_scene.workers[1].user.email)
    assert client.get(f"/me/timesheets/{sheet.id}").status_code == 404
    db.session.refresh(sheet)
    assert sheet.status == TimesheetStatus.SUBMITTED.value


def test_the_email_link_asks_on_get_and_acts_on_post(
    money_scene: ShiftScene, client: Any, make_clinic: Any
) -> None:
    sheet = submitted(money_scene)
    token = timesheets.review_token(sheet, money_scene.member)
    page = client.get(f"/timesheets/review/{token}").get_data(as_text=True)
    assert "Approve" in page and "38.91" in page and "21.37" not in page
    db.session.refresh(sheet)
    assert sheet.status == TimesheetStatus.SUBMITTED.value
    refused = client.post(f"/timesheets/review/{token}", data={"choice": "dispute", "reason": ""})
    assert refused.status_code == 400
    done = client.post(f"/timesheets/review/{token}", data={"choice": "approve"})
    assert done.status_code == 200 and "approved" in done.get_data(as_text=True)
    db.session.refresh(sheet)
    assert (sheet.status, sheet.reviewed_by_id) == ("approved", money_scene.member.id)
    # A member of another clinic cannot use a link for this sheet, nor can a garbled token.
    stranger = make_clinic().members[0]
    assert (
        client.get(f"/timesheets/review/{timesheets.review_token(sheet, stranger)}").status_code
        == 404
    )
    assert client.get(f"/timesheets/review/{token[:-3]}xyz").status_code == 404


def test_staff_see_margin_and_resolve(money_scene: ShiftScene, client: Any) -> None:
    sheet = submitted(money_scene)
    timesheets.dispute(sheet, "Left early", money_scene.member)
    db.session.commit()
    login(client, money_scene.staff.email)
    listing = client.get("/staff/timesheets").get_data(as_text=True)
    # Margin 291.83 - 160.28 = 131.55, 45.1% of the bill.
    assert "160.28" in listing and "291.83" in listing and "131.55 (45.1%)" in listing
    day = sheet.started_at.astimezone(NY).date().isoformat()
    form = {"day": day, "start": "08:00", "end": "15:30", "break_minutes": "30", "reason": ""}
    page = client.post(f"/staff/timesheets/{sheet.id}", data=form).get_data(as_text=True)
    assert "Give the reason." in page and 'value="15:30"' in page
    form["reason"] = "Badge log"
    assert client.post(f"/staff/timesheets/{sheet.id}", data=form).status_code == 302
    db.session.refresh(sheet)
    # 7 h paid: 149.59 pay, 272.37 bill.
    assert (sheet.status, sheet.pay_amount, sheet.bill_amount) == (
        "resolved",
        Decimal("149.59"),
        Decimal("272.37"),
    )


def test_staff_edit_the_rate_card_and_calendar(money_scene: ShiftScene, client: Any) -> None:
    clinic = money_scene.clinic
    login(client, money_scene.staff.email)
    assert client.get(f"/staff/clinics/{clinic.id}/rates").status_code == 200
    bad = client.post(
        f"/staff/clinics/{clinic.id}/rates/card",
        data={
            "role_type": "secretary",
            "pay_rate": "abc",
            "bill_rate": "41.5",
            "overtime_multiplier": "1.5",
            "holiday_multiplier": "1",
        },
    ).get_data(as_text=True)
    assert 'value="41.5"' in bad
    ok = client.post(
        f"/staff/clinics/{clinic.id}/rates/card",
        data={
            "role_type": "secretary",
            "pay_rate": "24.10",
            "bill_rate": "41.50",
            "overtime_multiplier": "1.5",
            "holiday_multiplier": "1",
        },
    )
    assert ok.status_code == 302
    card = db.session.execute(
        db.select(RateCard).where(
            RateCard.clinic_id == clinic.id, RateCard.role_type == "secretary"
        )
    ).scalar_one()
    assert (card.pay_rate, card.bill_rate) == (Decimal("24.10"), Decimal("41.50"))
    page = client.get(f"/staff/clinics/{clinic.id}/rates").get_data(as_text=True)
    assert "17.40 (41.9%)" in page
    cal = client.post(
        f"/staff/clinics/{clinic.id}/rates/calendar",
        data={"workweek_starts_on": "0", "holidays": "2026-12-25 Christmas\nnot-a-date"},
    ).get_data(as_text=True)
    assert "Not a date" in cal
    client.post(
        f"/staff/clinics/{clinic.id}/rates/calendar",
        data={"workweek_starts_on": "0", "holidays": "2026-12-25 Christmas"},
    )
    db.session.refresh(clinic)
    assert clinic.workweek_starts_on == 0
    assert [h.name for h in rates.holidays_of(clinic.id)] == ["Christmas"]


def test_the_worker_submits_from_the_page(money_scene: ShiftScene, client: Any) -> None:
    sheet = booked_sheet(money_scene, datetime(2026, 11, 17, 8, tzinfo=NY), 8, break_minutes=30)
    login(client, money_scene.workers[0].user.email)
    page = client.get(f"/me/timesheets/{sheet.id}").get_data(as_text=True)
    assert 'value="08:00"' in page and 'value="16:00"' in page  # prefilled, local time
    day = sheet.started_at.astimezone(NY).date().isoformat()
    bad = client.post(
        f"/me/timesheets/{sheet.id}",
        data={"day": day, "start": "08:00", "end": "16:00", "break_minutes": "500"},
    ).get_data(as_text=True)
    assert "Enter 0 to 240 minutes." in bad
    ok = client.post(
        f"/me/timesheets/{sheet.id}",
        data={"day": day, "start": "08:00", "end": "16:15", "break_minutes": "30"},
    )
    assert ok.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == "submitted" and sheet.ended_at - sheet.started_at == timedelta(
        hours=8, minutes=15
    )


def test_booking_rates_by_audience_on_the_shift_pages(money_scene: ShiftScene, client: Any) -> None:
    from agency.models import utcnow
    from tests.money.conftest import shift_at
    from tests.shifts.conftest import book

    shift = shift_at(money_scene, utcnow() + timedelta(days=2), 8)
    booking = book(shift, money_scene.workers[0])
    rates.stamp_booking(booking, money_scene.opening)
    db.session.commit()
    login(client, money_scene.workers[0].user.email)
    page = client.get("/me/shifts").get_data(as_text=True)
    assert "21.37" in page and "38.91" not in page
    client.post("/logout")
    login(client, money_scene.member.email)
    page = client.get(f"/clinic/shifts/{shift.id}").get_data(as_text=True)
    assert "38.91" in page and "21.37" not in page
    client.post("/logout")
    login(client, money_scene.staff.email)
    page = client.get(f"/staff/shifts/{shift.id}").get_data(as_text=True)
    # 38.91 - 21.37 = 17.54 an hour, 45.1% of the bill.
    assert "17.54/h (45.1%)" in page


def test_staff_set_opening_and_placement_rates(
    money_scene: ShiftScene, client: Any, make_application: Any
) -> None:
    opening = money_scene.opening
    placed = make_application(money_scene.workers[2], opening, stage="placed")
    login(client, money_scene.staff.email)
    page = client.get(f"/staff/openings/{opening.id}/rates").get_data(as_text=True)
    assert "pay $21.37/h, bill $38.91/h" in page
    bad = client.post(
        f"/staff/openings/{opening.id}/rates", data={"pay_rate": "-3", "bill_rate": ""}
    )
    assert "Enter an amount from 0." in bad.get_data(as_text=True)
    client.post(f"/staff/openings/{opening.id}/rates", data={"pay_rate": "22.5", "bill_rate": ""})
    db.session.refresh(opening)
    assert (opening.pay_rate, opening.bill_rate) == (Decimal("22.50"), None)
    assert rates.for_opening(opening).bill == Decimal("38.91")
    client.post(
        f"/staff/applications/{placed.id}/rates", data={"pay_rate": "23", "bill_rate": "40"}
    )
    db.session.refresh(placed)
    assert (placed.pay_rate, placed.bill_rate) == (Decimal("23.00"), Decimal("40.00"))

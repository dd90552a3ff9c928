"""Timesheets through the services and the database: prefill, submit, approve, dispute, resolve;
overtime over the week boundary and a daylight-saving night with exact amounts; audit; rates
defaulting from the opening and the rate card; reminders sent once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agency.extensions import db
from agency.models import AuditEvent, Role, Timesheet, TimesheetStatus, utcnow
from agency.services import rates, shifts, timesheets
from agency.services.timesheets import Times, TimesheetError
from tests.money.conftest import BILL, PAY, booked_sheet, emails, shift_at
from tests.shifts.conftest import ShiftScene, book

NY = ZoneInfo("America/New_York")
D = Decimal


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=NY)


def actions() -> list[str]:
    return [e.action for e in db.session.execute(db.select(AuditEvent)).scalars()]


def test_a_sheet_is_prefilled_from_the_booking_with_its_rates(money_scene: ShiftScene) -> None:
    sheet = booked_sheet(money_scene, local(2026, 11, 17, 8), 8.5, break_minutes=30)
    assert sheet.status == TimesheetStatus.DUE.value
    assert (sheet.pay_rate, sheet.bill_rate) == (PAY, BILL)
    assert (sheet.overtime_multiplier, sheet.holiday_multiplier) == (D("1.50"), D("2.00"))
    assert timesheets.local_times(sheet) == Times(
        local(2026, 11, 17, 8).date(), time(8), time(16, 30), 30
    )


def test_submit_and_approve_with_exact_amounts(money_scene: ShiftScene) -> None:
    sheet = booked_sheet(money_scene, local(2026, 11, 17, 8), 8.5, break_minutes=30)
    worker = money_scene.workers[0].user
    # The worker stayed 15 minutes longer, entered in the clinic's local time.
    timesheets.submit(
        sheet, Times(sheet.started_at.astimezone(NY).date(), time(8), time(16, 45), 30), worker
    )
    db.session.commit()
    assert sheet.status == TimesheetStatus.SUBMITTED.value
    assert sheet.ended_at == local(2026, 11, 17, 16, 45).astimezone(UTC)
    # 8h15 paid at 21.37 = 176.3025 -> 176.30; at 38.91 = 321.0075 -> 321.01 (once per line).
    assert (sheet.regular_minutes, sheet.overtime_minutes) == (495, 0)
    assert (sheet.pay_amount, sheet.bill_amount) == (D("176.30"), D("321.01"))
    # The clinic's members get the one-click review link.
    [mail] = emails("timesheet_submitted")
    assert "/timesheets/review/" in mail["context"]["review_url"]
    assert str(PAY) not in str(mail)
    timesheets.approve(sheet, money_scene.member)
    db.session.commit()
    assert sheet.billable and sheet.reviewed_by_id == money_scene.member.id
    assert timesheets.billable(money_scene.clinic.id) == [sheet]
    assert {"rate_card_changed", "timesheet_submitted", "timesheet_approved"} <= set(actions())


def test_dispute_needs_a_reason_and_staff_resolve_it(money_scene: ShiftScene) -> None:
    sheet = booked_sheet(money_scene, local(2026, 11, 18, 8), 8)
    day = sheet.started_at.astimezone(NY).date()
    timesheets.submit(sheet, Times(day, time(8), time(18), 0), money_scene.workers[0].user)
    db.session.commit()
    with pytest.raises(TimesheetError) as err:
        timesheets.dispute(sheet, "  ", money_scene.member)
    assert err.value.field == "reason"
    timesheets.dispute(sheet, "She left at 4 pm.", money_scene.member)
    db.session.commit()
    with pytest.raises(TimesheetError):
        timesheets.approve(sheet, money_scene.member)  # reviewed already
    with pytest.raises(TimesheetError):
        timesheets.resolve(sheet, Times(day, time(8), time(16), 0), "", money_scene.staff)
    timesheets.resolve(
        sheet, Times(day, time(8), time(16), 0), "Door log shows 4 pm.", money_scene.staff
    )
    db.session.commit()
    assert sheet.status == TimesheetStatus.RESOLVED.value and sheet.billable
    assert sheet.submitted_ended_at == local(2026, 11, 18, 18).astimezone(UTC)
    assert (sheet.regular_minutes, sheet.pay_amount, sheet.bill_amount) == (
        480,
        D("170.96"),
        D("311.28"),
    )
    assert {"timesheet_disputed", "timesheet_resolved"} <= set(actions())
    disputed = [
        e
        for e in db.session.execute(db.select(AuditEvent)).scalars()
        if e.action == "timesheet_disputed"
    ]
    assert disputed[0].actor_id == money_scene.member.id and disputed[0].created_at is not None


def test_overtime_across_the_week_boundary_through_the_database(money_scene: ShiftScene) -> None:
    # Mon-Fri Nov 9-13 2026, 8 hours each, then Sat 22:00 - Sun 06:00.
    sheets = [booked_sheet(money_scene, local(2026, 11, 9 + i, 8), 8) for i in range(5)]
    night = booked_sheet(money_scene, local(2026, 11, 14, 22), 8)
    worker = money_scene.workers[0].user
    # Submitted out of order: the night first, then the weekdays (each recomputes the week).
    for sheet in [night, *sheets]:
        t = timesheets.local_times(sheet)
        timesheets.submit(sheet, t, worker)
        db.session.commit()
    db.session.refresh(night)
    assert (night.regular_minutes, night.overtime_minutes) == (360, 120)
    # 6h x 21.37 + 2h x 21.37 x 1.5 = 128.22 + 64.11 = 192.33; bill 233.46 + 116.73 = 350.19.
    assert (night.pay_amount, night.bill_amount) == (D("192.33"), D("350.19"))
    assert all(s.overtime_minutes == 0 and s.pay_amount == D("170.96") for s in sheets)


def test_a_night_shift_over_the_fall_back_change_pays_nine_hours(money_scene: ShiftScene) -> None:
    sheet = booked_sheet(money_scene, local(2026, 10, 31, 22), 8)  # 22:00 - 06:00 on the clock
    assert sheet.ended_at - sheet.started_at == timedelta(hours=9)
    timesheets.submit(sheet, timesheets.local_times(sheet), money_scene.workers[0].user)
    db.session.commit()
    assert sheet.regular_minutes == 540
    assert (sheet.pay_amount, sheet.bill_amount) == (D("192.33"), D("350.19"))


def test_submission_errors_name_their_field(money_scene: ShiftScene) -> None:
    sheet = booked_sheet(money_scene, local(2026, 11, 19, 8), 8)
    day = sheet.started_at.astimezone(NY).date()
    worker = money_scene.workers[0].user
    bad = [
        (Times(day, time(8), time(16), 241), "break_minutes"),
        (Times(day, time(8), time(9), 60), "break_minutes"),
        (Times(day + timedelta(days=2), time(8), time(16), 0), "day"),
        (Times(utcnow().date() + timedelta(days=3), time(8), time(16), 0), "day"),
    ]
    for times, field in bad:
        with pytest.raises(TimesheetError) as err:
            timesheets.submit(sheet, times, worker)
        assert err.value.field == field, times
    assert sheet.status == TimesheetStatus.DUE.value


def test_bookings_and_placements_take_rates_from_the_opening_then_the_card(
    money_scene: ShiftScene, make_application: object
) -> None:
    opening = money_scene.opening
    assert rates.for_opening(opening).pay == PAY
    rates.set_opening_rates(opening, D("25.00"), None, money_scene.staff)
    db.session.commit()
    found = rates.for_opening(opening)
    assert (found.pay, found.bill) == (D("25.00"), BILL)
    # A worker accepting an offer gets the booking stamped with those rates.
    shift = shift_at(money_scene, datetime.now(UTC) + timedelta(days=2), 8)
    [offer] = shifts.offer(shift, [money_scene.workers[1].id], money_scene.staff)
    db.session.commit()
    result = shifts.accept(offer)
    assert result.booking is not None
    assert (result.booking.pay_rate, result.booking.bill_rate) == (D("25.00"), BILL)
    assert "opening_rates_changed" in actions()


def test_reminders_go_once(money_scene: ShiftScene) -> None:
    due = booked_sheet(money_scene, local(2026, 11, 20, 8), 8)
    waiting = booked_sheet(money_scene, local(2026, 11, 20, 8), 8, worker=1)
    timesheets.submit(waiting, timesheets.local_times(waiting), money_scene.workers[1].user)
    waiting.submitted_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    timesheets.stage_reminders()
    timesheets.stage_reminders()
    [due_mail] = emails("timesheet_due")
    assert due_mail["context"]["timesheets_url"].endswith(f"/me/timesheets/{due.id}")
    assert len(emails("timesheet_review_reminder")) == len(
        [m for m in money_scene.clinic.members if m.role == Role.CLINIC.value]
    )
    assert due.worker_reminded_at is not None and waiting.clinic_reminded_at is not None


def test_a_recent_shift_is_not_reminded_yet(money_scene: ShiftScene) -> None:
    shift = shift_at(money_scene, datetime.now(UTC) - timedelta(hours=10), 8)
    book(shift, money_scene.workers[0])
    timesheets.stage_reminders()
    assert db.session.execute(db.select(Timesheet)).scalar_one().status == "due"
    assert emails("timesheet_due") == []

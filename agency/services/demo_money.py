"""The demo agency's money side (issue 19): a rate card and US holidays for every clinic, rates
on every booking and placement, and a few weeks of timesheets: most approved, the newest waiting
for the clinic, one disputed, and the demo candidate's latest still to submit. Its own random
generator, so the rest of the demo stays as it was. Invoices build on these (h19b)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Application,
    Clinic,
    ClinicHoliday,
    RateCard,
    Role,
    Shift,
    ShiftBooking,
    Stage,
    Timesheet,
    TimesheetStatus,
    User,
)
from agency.services import money, rates, timesheets

SEED = 2026 + 3
# Base pay per hour by role; the bill is pay x a markup the agency negotiated with each clinic.
BASE_PAY = {"receptionist": 19, "secretary": 23, "hybrid": 21}
MARKUPS = (Decimal("1.55"), Decimal("1.65"), Decimal("1.75"))
WAITING = 3  # the newest sheets wait for the clinic
DISPUTE_REASON = "Our sign-out sheet says 4:30 pm, not 5:00 pm."


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def us_holidays(year: int) -> list[tuple[date, str]]:
    return [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 7, 4), "Independence Day"),
        (_thanksgiving(year), "Thanksgiving Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]


def seed_money(now: datetime, demo_candidate_id: int | None) -> int:
    """Rate cards, holidays, rates and timesheets; the count of timesheets made. Flushes."""
    rng = random.Random(SEED)
    clinic_ids = list(db.session.execute(select(Clinic.id).order_by(Clinic.id)).scalars())
    for clinic_id in clinic_ids:
        markup = rng.choice(MARKUPS)
        for role, base in BASE_PAY.items():
            pay = Decimal(base + rng.randint(0, 4)) + rng.choice(
                (Decimal("0.00"), Decimal("0.25"), Decimal("0.50"))
            )
            db.session.add(
                RateCard(
                    clinic_id=clinic_id,
                    role_type=role,
                    pay_rate=pay,
                    bill_rate=money.round_line(pay * markup),
                    overtime_multiplier=Decimal("1.50"),
                    holiday_multiplier=Decimal("1.50"),
                )
            )
        for year in (now.year - 1, now.year, now.year + 1):
            for day, name in us_holidays(year):
                db.session.add(ClinicHoliday(clinic_id=clinic_id, day=day, name=name))
    db.session.flush()
    bookings = db.session.execute(
        select(ShiftBooking).options(joinedload(ShiftBooking.shift).joinedload(Shift.opening))
    ).scalars()
    for booking in bookings:
        rates.stamp_booking(booking, booking.shift.opening)
    for application in db.session.execute(
        select(Application)
        .options(joinedload(Application.opening))
        .where(Application.stage == Stage.PLACED)
    ).scalars():
        rates.stamp_placement(application)
    db.session.flush()
    timesheets.make_due(now)
    sheets = list(
        db.session.execute(
            select(Timesheet)
            .options(joinedload(Timesheet.clinic), joinedload(Timesheet.shift))
            .order_by(Timesheet.started_at.desc(), Timesheet.id)
        ).scalars()
    )
    members = {
        clinic_id: user_id
        for clinic_id, user_id in db.session.execute(
            select(User.clinic_id, User.id).where(User.role == Role.CLINIC)
        ).all()
    }
    left_due = False
    rank = 0
    for sheet in sheets:
        if sheet.candidate_id == demo_candidate_id and not left_due:
            left_due = True  # the demo candidate's newest: theirs to submit
            continue
        rank += 1
        # People round to the quarter hour, and some stay a little longer.
        sheet.ended_at = sheet.ended_at + timedelta(minutes=rng.choice((0, 0, 0, 15, 30, -15)))
        submitted = sheet.shift.ends_at + timedelta(hours=rng.randint(1, 20))
        sheet.submitted_started_at, sheet.submitted_ended_at = sheet.started_at, sheet.ended_at
        sheet.submitted_break_minutes = sheet.break_minutes
        sheet.submitted_at = min(submitted, now)
        sheet.submitted_by_id = None
        if rank <= WAITING:
            sheet.status = TimesheetStatus.SUBMITTED
            continue
        sheet.reviewed_at = min(sheet.submitted_at + timedelta(hours=rng.randint(2, 40)), now)
        sheet.reviewed_by_id = members.get(sheet.clinic_id)
        if rank == WAITING + 1:
            sheet.status = TimesheetStatus.DISPUTED
            sheet.dispute_reason = DISPUTE_REASON
        else:
            sheet.status = TimesheetStatus.APPROVED
    db.session.flush()
    for sheet in sheets:
        if sheet.status != TimesheetStatus.DUE:
            timesheets.recompute_week(sheet)
    db.session.flush()
    return len(sheets)

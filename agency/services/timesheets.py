"""Timesheets: after a booked shift the worker submits the hours (start, end, unpaid break,
prefilled from the booking, in the clinic's zone), the clinic approves or disputes them (with a
reason) from its portal or a signed e-mail link, and staff resolve disputes with corrected times.

Every change recomputes the worker's workweek (services.overtime.split_minutes) and the line
amounts (services.money) of each sheet in it, and is in the audit log. A sheet row is made when
its shift has ended (`make_due`, run by the periodic scan and before a list is shown). Nothing
here commits unless it says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    BILLABLE_STATUSES,
    Attendance,
    BookingStatus,
    Candidate,
    Clinic,
    ClinicHoliday,
    Role,
    Shift,
    ShiftBooking,
    ShiftStatus,
    Timesheet,
    TimesheetStatus,
    User,
    utcnow,
)
from agency.services import audit, clinic_portal, money, notifications, outbox, overtime, rates
from agency.services.errors import FieldError
from agency.timezones import clinic_zone

S = TimesheetStatus
WORKER_REMINDER_AFTER = timedelta(hours=24)  # after the shift ends, not submitted
CLINIC_REMINDER_AFTER = timedelta(hours=48)  # after submission, not reviewed
MAX_SHEET = timedelta(hours=24)
# How far the submitted start may be from the booked one (a shift moved by an hour or two is
# normal; a different day is a mistake).
MAX_SHIFT_MOVE = timedelta(hours=12)
# Sheets are made for shifts that ended within this many days (older bookings predate the
# feature or were settled outside it).
MAKE_DUE_DAYS = 60
REVIEW_SALT = "clinicmatch-timesheet-review"
REVIEW_LINK_DAYS = 30
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STATUS_WORDS: dict[str, tuple[str, str]] = {
    S.DUE: ("Not submitted", "warning"),
    S.SUBMITTED: ("Waiting for the clinic", "info"),
    S.APPROVED: ("Approved", "success"),
    S.DISPUTED: ("Disputed", "danger"),
    S.RESOLVED: ("Resolved", "success"),
}


class TimesheetError(FieldError):
    """A rule the input broke; `field` names the form field the message belongs next to."""


@dataclass(frozen=True)
class Times:
    """Times as a person enters them: a local date and clock times in the clinic's zone."""

    day: date
    start: time
    end: time
    break_minutes: int = 0


# -- times -------------------------------------------------------------------------------------


def to_utc(clinic: Clinic, times: Times) -> tuple[datetime, datetime]:
    """Local date + clock times -> UTC instants; an end at or before the start is the next day.
    A clock time the zone skips (spring forward) is read as the time after the gap."""
    zone = clinic_zone(clinic)
    start = datetime.combine(times.day, times.start, tzinfo=zone)
    end_day = times.day if times.end > times.start else times.day + timedelta(days=1)
    end = datetime.combine(end_day, times.end, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_times(sheet: Timesheet) -> Times:
    """The sheet's times as the form shows them (the clinic's zone)."""
    zone = clinic_zone(sheet.clinic)
    start, end = sheet.started_at.astimezone(zone), sheet.ended_at.astimezone(zone)
    return Times(start.date(), start.time(), end.time(), sheet.break_minutes)


def when(sheet: Timesheet) -> str:
    zone = clinic_zone(sheet.clinic)
    start, end = sheet.started_at.astimezone(zone), sheet.ended_at.astimezone(zone)
    end_fmt = "%I:%M %p %Z" if start.date() == end.date() else "%a %b %d %I:%M %p %Z"
    return f"{start:%a %b %d, %Y %I:%M %p} - {end.strftime(end_fmt)}"


def workweek_start(clinic: Clinic, moment: datetime) -> datetime:
    """The UTC start of the clinic's workweek containing `moment`."""
    zone = clinic_zone(clinic)
    return overtime.week_start(moment, zone, clinic.workweek_starts_on).astimezone(UTC)


def status_words(status: str) -> tuple[str, str]:
    return STATUS_WORDS.get(status, (status, "neutral"))


# -- making the sheets -------------------------------------------------------------------------


def _new_sheet(booking: ShiftBooking) -> Timesheet:
    shift = booking.shift
    found = rates.for_booking(booking)
    return Timesheet(
        booking_id=booking.id,
        shift_id=shift.id,
        clinic_id=shift.clinic_id,
        candidate_id=booking.candidate_id,
        status=S.DUE,
        started_at=shift.starts_at,
        ended_at=shift.ends_at,
        break_minutes=shift.break_minutes,
        # No rate anywhere yet: zero until staff set one (the staff page shows the gap).
        pay_rate=found.pay if found.pay is not None else money.ZERO,
        bill_rate=found.bill if found.bill is not None else money.ZERO,
        overtime_multiplier=found.overtime_multiplier,
        holiday_multiplier=found.holiday_multiplier,
    )


def make_due(now: datetime | None = None, candidate_id: int | None = None) -> int:
    """Make a DUE sheet for each booked shift that has ended and has none (not for a no-show).
    Flushes; the caller commits."""
    now = now or utcnow()
    criteria: list[ColumnElement[bool]] = [
        ShiftBooking.status == BookingStatus.BOOKED,
        Shift.status != ShiftStatus.CANCELLED,
        Shift.ends_at <= now,
        Shift.ends_at > now - timedelta(days=MAKE_DUE_DAYS),
        (ShiftBooking.attendance.is_(None)) | (ShiftBooking.attendance != Attendance.NO_SHOW),
        ~exists().where(Timesheet.booking_id == ShiftBooking.id),
    ]
    if candidate_id is not None:
        criteria.append(ShiftBooking.candidate_id == candidate_id)
    bookings = db.session.execute(
        select(ShiftBooking)
        .join(Shift, Shift.id == ShiftBooking.shift_id)
        .options(joinedload(ShiftBooking.shift).joinedload(Shift.opening))
        .where(*criteria)
    ).scalars()
    made = 0
    for booking in bookings:
        db.session.add(_new_sheet(booking))
        made += 1
    if made:
        db.session.flush()
    return made


# -- reading -----------------------------------------------------------------------------------


def _loaded() -> tuple[Any, ...]:
    return (
        joinedload(Timesheet.shift).joinedload(Shift.opening),
        joinedload(Timesheet.clinic),
        joinedload(Timesheet.candidate),
    )


def get(sheet_id: int) -> Timesheet | None:
    if sheet_id > 2**31 - 1:
        return None
    return db.session.execute(
        select(Timesheet).options(*_loaded()).where(Timesheet.id == sheet_id)
    ).scalar_one_or_none()


def for_candidate(candidate: Candidate, sheet_id: int) -> Timesheet | None:
    sheet = get(sheet_id)
    return sheet if sheet is not None and sheet.candidate_id == candidate.id else None


def for_clinic(clinic: Clinic, sheet_id: int) -> Timesheet | None:
    sheet = get(sheet_id)
    return sheet if sheet is not None and sheet.clinic_id == clinic.id else None


def of_candidate(candidate: Candidate, limit: int = 100) -> list[Timesheet]:
    return list(
        db.session.execute(
            select(Timesheet)
            .options(*_loaded())
            .where(Timesheet.candidate_id == candidate.id)
            .order_by(Timesheet.started_at.desc())
            .limit(limit)
        ).scalars()
    )


def of_clinic(clinic: Clinic, statuses: Sequence[str] = (), limit: int = 200) -> list[Timesheet]:
    """The clinic's sheets the worker has submitted (a DUE sheet is the worker's business)."""
    shown = [s for s in (statuses or S.values()) if s != S.DUE]
    return list(
        db.session.execute(
            select(Timesheet)
            .options(*_loaded())
            .where(Timesheet.clinic_id == clinic.id, Timesheet.status.in_(shown))
            .order_by(Timesheet.started_at.desc())
            .limit(limit)
        ).scalars()
    )


def of_staff(statuses: Sequence[str] = (), limit: int = 300) -> list[Timesheet]:
    query = select(Timesheet).options(*_loaded()).order_by(Timesheet.started_at.desc())
    if statuses:
        query = query.where(Timesheet.status.in_(list(statuses)))
    return list(db.session.execute(query.limit(limit)).scalars())


def billable(
    clinic_id: int | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[Timesheet]:
    """Approved and resolved sheets (final hours), oldest first: what invoices and payroll read."""
    query = select(Timesheet).options(*_loaded()).where(Timesheet.status.in_(BILLABLE_STATUSES))
    if clinic_id is not None:
        query = query.where(Timesheet.clinic_id == clinic_id)
    if since is not None:
        query = query.where(Timesheet.started_at >= since)
    if until is not None:
        query = query.where(Timesheet.started_at < until)
    return list(db.session.execute(query.order_by(Timesheet.started_at, Timesheet.id)).scalars())


# -- the week's arithmetic -----------------------------------------------------------------------


def recompute_week(sheet: Timesheet) -> None:
    """Split the minutes of every submitted sheet of this worker in the workweek(s) this sheet
    touches and set each one's line amounts. Overtime is the agency's (the employer's) for the
    worker, over all clinics; the week and zone are this sheet's clinic's."""
    clinic = sheet.clinic
    zone = clinic_zone(clinic)
    first = overtime.week_start(sheet.started_at, zone, clinic.workweek_starts_on)
    last = overtime.week_start(sheet.ended_at, zone, clinic.workweek_starts_on)
    span_start = first.astimezone(UTC)
    span_end = (last + timedelta(days=7)).astimezone(UTC)
    # Load a week and a day either side: a sheet of ours touching the week before or after is
    # then split with all the other sheets of that week too.
    rows = list(
        db.session.execute(
            select(Timesheet)
            .options(joinedload(Timesheet.clinic))
            .where(
                Timesheet.candidate_id == sheet.candidate_id,
                Timesheet.status != S.DUE,
                Timesheet.started_at >= span_start - timedelta(days=8),
                Timesheet.started_at < span_end + timedelta(days=8),
            )
        ).scalars()
    )
    if sheet not in rows and sheet.status != S.DUE:
        rows.append(sheet)
    holidays: dict[int, frozenset[date]] = {}
    for clinic_id in {row.clinic_id for row in rows}:
        holidays[clinic_id] = frozenset(
            db.session.execute(
                select(ClinicHoliday.day).where(ClinicHoliday.clinic_id == clinic_id)
            ).scalars()
        )
    splits = overtime.split_minutes(
        [
            overtime.Worked(r.id, r.started_at, r.ended_at, r.break_minutes, holidays[r.clinic_id])
            for r in rows
        ],
        zone,
        workweek_starts_on=clinic.workweek_starts_on,
    )
    by_id = {r.id: r for r in rows}
    for split in splits:
        row = by_id[split.key]
        if not (span_start - timedelta(days=1) <= row.started_at < span_end):
            continue  # outside the weeks that changed: its own weeks are not all loaded
        apply_split(row, split)


def apply_split(sheet: Timesheet, split: overtime.Split) -> None:
    sheet.regular_minutes = split.regular_minutes
    sheet.overtime_minutes = split.overtime_minutes
    sheet.holiday_minutes = split.holiday_minutes
    sheet.pay_amount = _line(sheet, sheet.pay_rate)
    sheet.bill_amount = _line(sheet, sheet.bill_rate)


def _line(sheet: Timesheet, rate: Decimal) -> Decimal:
    return money.line_amount(
        rate,
        sheet.regular_minutes,
        sheet.overtime_minutes,
        sheet.holiday_minutes,
        sheet.overtime_multiplier,
        sheet.holiday_multiplier,
    )


# -- changing ----------------------------------------------------------------------------------


def _check_times(sheet: Timesheet, times: Times, now: datetime) -> tuple[datetime, datetime]:
    if not 0 <= times.break_minutes <= 240:
        raise TimesheetError("Enter a break from 0 to 240 minutes.", "break_minutes")
    start, end = to_utc(sheet.clinic, times)
    if end - start > MAX_SHEET:
        raise TimesheetError("A timesheet covers at most 24 hours.", "end")
    if abs(start - sheet.shift.starts_at) > MAX_SHIFT_MOVE:
        raise TimesheetError("The start is too far from the booked shift: check the date.", "day")
    if end > now + timedelta(minutes=5):
        raise TimesheetError("The end is in the future.", "end")
    if timedelta(minutes=times.break_minutes) >= end - start:
        raise TimesheetError("The break is as long as the shift.", "break_minutes")
    return start, end


def _audit(action: str, sheet: Timesheet, actor: User | None, ip: str, **details: Any) -> None:
    audit.record(
        action,
        actor_id=actor.id if actor else None,
        object_type="timesheet",
        object_id=sheet.id,
        ip=ip,
        candidate_id=sheet.candidate_id,
        details={
            "status": sheet.status,
            "started_at": sheet.started_at.isoformat(),
            "ended_at": sheet.ended_at.isoformat(),
            "break_minutes": sheet.break_minutes,
            **details,
        },
    )


def can_submit(sheet: Timesheet) -> bool:
    return sheet.status in (S.DUE, S.SUBMITTED)


def submit(sheet: Timesheet, times: Times, user: User, ip: str = "") -> None:
    """The worker's hours (again, while the clinic has not reviewed them)."""
    if not can_submit(sheet):
        raise TimesheetError("This timesheet was already reviewed by the clinic.")
    now = utcnow()
    start, end = _check_times(sheet, times, now)
    first = sheet.status == S.DUE
    sheet.started_at, sheet.ended_at, sheet.break_minutes = start, end, times.break_minutes
    sheet.submitted_started_at, sheet.submitted_ended_at = start, end
    sheet.submitted_break_minutes = times.break_minutes
    sheet.status = S.SUBMITTED
    sheet.submitted_at, sheet.submitted_by_id = now, user.id
    db.session.flush()
    recompute_week(sheet)
    _audit("timesheet_submitted", sheet, user, ip, again=not first)
    stamp = int(now.timestamp())
    _tell_clinic(sheet, "timesheet_submitted", f"timesheet-submitted:{sheet.id}:{stamp}")


def can_review(sheet: Timesheet) -> bool:
    return sheet.status == S.SUBMITTED


def approve(sheet: Timesheet, user: User, ip: str = "") -> None:
    if not can_review(sheet):
        raise TimesheetError(_reviewed_already(sheet))
    sheet.status = S.APPROVED
    sheet.reviewed_at, sheet.reviewed_by_id = utcnow(), user.id
    _audit("timesheet_approved", sheet, user, ip)


def dispute(sheet: Timesheet, reason: str, user: User, ip: str = "") -> None:
    reason = (reason or "").strip()[:1000]
    if not can_review(sheet):
        raise TimesheetError(_reviewed_already(sheet))
    if not reason:
        raise TimesheetError("Say what is wrong with the hours.", "reason")
    sheet.status = S.DISPUTED
    sheet.reviewed_at, sheet.reviewed_by_id = utcnow(), user.id
    sheet.dispute_reason = reason
    _audit("timesheet_disputed", sheet, user, ip, reason=reason)
    notifications.tell_staff(
        "timesheet_disputed", f"timesheet-disputed:{sheet.id}", shift_id=sheet.shift_id
    )


def _reviewed_already(sheet: Timesheet) -> str:
    if sheet.status == S.DUE:
        return "The worker has not submitted this timesheet yet."
    return f"This timesheet was already reviewed ({status_words(sheet.status)[0].lower()})."


def can_resolve(sheet: Timesheet) -> bool:
    return sheet.status == S.DISPUTED


def resolve(sheet: Timesheet, times: Times, reason: str, staff: User, ip: str = "") -> None:
    """Staff set the final hours of a disputed sheet, with the reason."""
    reason = (reason or "").strip()[:1000]
    if not can_resolve(sheet):
        raise TimesheetError("Only a disputed timesheet can be resolved.")
    if not reason:
        raise TimesheetError("Please give the reason for the final hours.", "reason")
    start, end = _check_times(sheet, times, utcnow())
    sheet.started_at, sheet.ended_at, sheet.break_minutes = start, end, times.break_minutes
    sheet.status = S.RESOLVED
    sheet.resolved_at, sheet.resolved_by_id = utcnow(), staff.id
    sheet.resolution_reason = reason
    db.session.flush()
    recompute_week(sheet)
    _audit("timesheet_resolved", sheet, staff, ip, reason=reason)


# -- signed review links -------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REVIEW_SALT)


def review_token(sheet: Timesheet, member: User) -> str:
    return str(_serializer().dumps({"t": sheet.id, "u": member.id}))


def read_review_token(token: str) -> tuple[Timesheet, User] | None:
    """The sheet and clinic member a link names, or None (forged, garbled, too old, or the
    member no longer belongs to the sheet's clinic)."""
    try:
        data = _serializer().loads(token[:500], max_age=REVIEW_LINK_DAYS * 86400)
        sheet_id, user_id = int(data["t"]), int(data["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    sheet = get(sheet_id)
    member = db.session.get(User, user_id) if user_id <= 2**31 - 1 else None
    if sheet is None or member is None or not member.active:
        return None
    if member.role != Role.CLINIC or member.clinic_id != sheet.clinic_id:
        return None
    if member.is_clinic_viewer:  # made a viewer since the e-mail went out
        return None
    return sheet, member


# -- mail and reminders ------------------------------------------------------------------------


def _clinic_context(sheet: Timesheet, member: User) -> dict[str, Any]:
    """What a clinic member is told: the hours and the bill rate, never the pay rate."""
    return {
        "worker_name": clinic_portal.display_name(sheet.candidate),
        "opening_title": sheet.shift.opening.title,
        "when": when(sheet),
        "break_minutes": sheet.break_minutes,
        "hours": f"{money.hours(sheet.worked_minutes)}",
        "review_url": notifications.link(f"/timesheets/review/{review_token(sheet, member)}"),
        "timesheets_url": notifications.link("/clinic/timesheets"),
    }


def _tell_clinic(sheet: Timesheet, template: str, key: str) -> int:
    made = 0
    for member in notifications.clinic_members(sheet.clinic_id):
        # A viewer cannot approve or dispute: the review e-mail is for managers.
        if not member.active or member.is_clinic_viewer:
            continue
        if outbox.email(
            template,
            member.email,
            _clinic_context(sheet, member),
            f"{key}:u{member.id}",
            essential=True,
        ):
            made += 1
    return made


def stage_reminders(now: datetime | None = None) -> int:
    """Make the sheets of ended shifts; remind the worker once of a sheet not submitted 24 hours
    after the shift, and the clinic once of one not reviewed 48 hours after submission (stamps on
    the sheet and the outbox's dedupe keys). Commits."""
    now = now or utcnow()
    make_due(now)
    made = 0
    due = db.session.execute(
        select(Timesheet)
        .options(*_loaded(), joinedload(Timesheet.candidate).joinedload(Candidate.user))
        .join(Shift, Shift.id == Timesheet.shift_id)
        .where(
            Timesheet.status == S.DUE,
            Timesheet.worker_reminded_at.is_(None),
            Shift.ends_at <= now - WORKER_REMINDER_AFTER,
        )
    ).scalars()
    for sheet in due:
        sheet.worker_reminded_at = now
        user = sheet.candidate.user
        if user is None or not user.active:
            continue
        context = {
            "first_name": sheet.candidate.first_name,
            "clinic_name": sheet.clinic.name,
            "opening_title": sheet.shift.opening.title,
            "when": when(sheet),
            "timesheets_url": notifications.link(f"/me/timesheets/{sheet.id}"),
        }
        if outbox.email(
            "timesheet_due", user.email, context, f"timesheet-due:{sheet.id}", essential=True
        ):
            made += 1
    waiting = db.session.execute(
        select(Timesheet)
        .options(*_loaded())
        .where(
            Timesheet.status == S.SUBMITTED,
            Timesheet.clinic_reminded_at.is_(None),
            Timesheet.submitted_at <= now - CLINIC_REMINDER_AFTER,
        )
    ).scalars()
    for sheet in waiting:
        sheet.clinic_reminded_at = now
        made += _tell_clinic(sheet, "timesheet_review_reminder", f"timesheet-remind:{sheet.id}")
    db.session.commit()
    return made

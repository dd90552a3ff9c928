"""Temp and per-diem shifts: a clinic requests them, staff offer them, the first worker to accept
books the place, and afterwards the clinic says whether they came.

Times are stored in UTC and entered and shown in the clinic's zone (`timezones.clinic_zone`).
Nothing here commits unless it says so; notifications are outbox rows in the caller's
transaction. Accepting is race-safe: the place is taken by one conditional UPDATE
(`booked_count < headcount`), which PostgreSQL re-checks after a concurrent transaction commits,
so two people accepting the last place at the same moment cannot both get it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.models import (
    Attendance,
    BookingStatus,
    CancelledBy,
    Candidate,
    Clinic,
    OfferStatus,
    Opening,
    OpeningStatus,
    Role,
    Shift,
    ShiftBooking,
    ShiftOffer,
    ShiftStatus,
    User,
    utcnow,
)
from agency.models.shifts import SHIFT_EMPLOYMENT_TYPES
from agency.services import audit, clinic_portal, notifications, outbox, rates
from agency.services.calendar_feed import CalendarEvent
from agency.services.errors import FieldError
from agency.timezones import clinic_zone

LATE_CANCELLATION = timedelta(hours=24)
MAX_SHIFT = timedelta(hours=16)
MAX_AHEAD = timedelta(days=366)
REMINDERS = (24, 2)  # hours before the start
UNFILLED_ALERT = timedelta(hours=48)
OFFER_SALT = "clinicmatch-shift-offer"
ATTENDANCE_SALT = "clinicmatch-shift-attendance"
ATTENDANCE_LINK_DAYS = 14
ATTENDANCE_WORDS = {
    Attendance.ATTENDED: "Attended",
    Attendance.LATE: "Came late",
    Attendance.NO_SHOW: "Did not come",
}


class ShiftError(FieldError):
    """A rule the request broke; `field` names the form field the message belongs next to."""


@dataclass
class ShiftRequest:
    opening_id: int
    day: date
    start: time
    end: time
    break_minutes: int = 0
    headcount: int = 1
    notes: str = ""


# -- times -------------------------------------------------------------------------------------


def utc_span(clinic: Clinic, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """The clinic-local day and clock times as UTC instants; an end at or before the start is
    the next morning (a night shift)."""
    zone = clinic_zone(clinic)
    starts = datetime.combine(day, start, tzinfo=zone)
    ends_day = day if end > start else day + timedelta(days=1)
    ends = datetime.combine(ends_day, end, tzinfo=zone)
    return starts.astimezone(UTC), ends.astimezone(UTC)


def local(shift: Shift) -> datetime:
    return shift.starts_at.astimezone(clinic_zone(shift.clinic))


def when(shift: Shift) -> str:
    """ "Mon Dec 07, 2026 08:00 AM - 04:30 PM EST" in the clinic's zone."""
    zone = clinic_zone(shift.clinic)
    starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    end_fmt = "%I:%M %p %Z" if starts.date() == ends.date() else "%a %b %d %I:%M %p %Z"
    return f"{starts:%a %b %d, %Y %I:%M %p} - {ends.strftime(end_fmt)}"


# -- requesting ------------------------------------------------------------------------------


def shift_openings(clinic: Clinic) -> list[Opening]:
    """The clinic's openings shifts can be requested for: temp, per diem, temp-to-hire, live."""
    return list(
        db.session.execute(
            select(Opening)
            .where(
                Opening.clinic_id == clinic.id,
                Opening.employment_type.in_(SHIFT_EMPLOYMENT_TYPES),
                Opening.status.in_([OpeningStatus.OPEN, OpeningStatus.ON_HOLD]),
            )
            .order_by(Opening.title, Opening.id)
        ).scalars()
    )


def request_shift(clinic: Clinic, req: ShiftRequest, user: User, ip: str = "") -> Shift:
    opening = db.session.get(Opening, req.opening_id)
    if opening is None or opening.clinic_id != clinic.id:
        raise ShiftError("Choose one of your openings.", "opening_id")
    if opening.employment_type not in SHIFT_EMPLOYMENT_TYPES:
        raise ShiftError("Shifts are for temp, per-diem and temp-to-hire openings.", "opening_id")
    if opening.status not in (OpeningStatus.OPEN, OpeningStatus.ON_HOLD):
        raise ShiftError("This opening is closed.", "opening_id")
    starts, ends = utc_span(clinic, req.day, req.start, req.end)
    now = utcnow()
    if starts <= now:
        raise ShiftError("The shift must start in the future.", "day")
    if starts - now > MAX_AHEAD:
        raise ShiftError("Request shifts up to a year ahead.", "day")
    if ends - starts > MAX_SHIFT:
        raise ShiftError("A shift can be at most 16 hours long.", "end")
    if req.break_minutes * 60 >= (ends - starts).total_seconds():
        raise ShiftError("The break must be shorter than the shift.", "break_minutes")
    shift = Shift(
        opening_id=opening.id,
        clinic_id=clinic.id,
        starts_at=starts,
        ends_at=ends,
        break_minutes=req.break_minutes,
        headcount=req.headcount,
        notes=req.notes,
        created_by_id=user.id,
    )
    db.session.add(shift)
    db.session.flush()
    audit.record(
        "shift_requested", actor_id=user.id, object_type="shift", object_id=shift.id, ip=ip
    )
    notifications.tell_staff("shift_requested", f"shift-requested:{shift.id}", shift_id=shift.id)
    return shift


# -- offering and accepting ------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def offer_token(offer: ShiftOffer) -> str:
    return str(_serializer(OFFER_SALT).dumps({"o": offer.id, "c": offer.candidate_id}))


def read_offer_token(token: str) -> ShiftOffer | None:
    """The offer a signed link names (None when forged or garbled). The link does not expire
    by age: what it can do is bounded by the offer's own state and the shift's start."""
    try:
        data = _serializer(OFFER_SALT).loads(token[:500])
        offer_id, candidate_id = int(data["o"]), int(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    offer = db.session.get(ShiftOffer, offer_id)
    if offer is None or offer.candidate_id != candidate_id:
        return None
    return offer


def _worker_context(shift: Shift) -> dict[str, Any]:
    """What a worker is told about a shift: no staff notes, no engine verdicts."""
    clinic = shift.clinic
    return {
        "clinic_name": clinic.name,
        "address": ", ".join(p for p in (clinic.address_line, clinic.city, clinic.state) if p),
        "opening_title": shift.opening.title,
        "when": when(shift),
        "break_minutes": shift.break_minutes,
        "notes": shift.notes,
        "shifts_url": notifications.link("/me/shifts"),
    }


def offer(shift: Shift, candidate_ids: Sequence[int], staff: User) -> list[ShiftOffer]:
    """Offer the shift to these candidates at once (one e-mail each, with a one-click link);
    the first to accept gets it. Candidates already offered it are skipped."""
    if shift.status != ShiftStatus.OPEN or shift.starts_at <= utcnow():
        raise ShiftError("Only an open shift that has not started can be offered.")
    wanted = list(dict.fromkeys(int(c) for c in candidate_ids))
    if not wanted:
        raise ShiftError("Choose at least one person.", "candidate_ids")
    already = set(
        db.session.execute(
            select(ShiftOffer.candidate_id).where(
                ShiftOffer.shift_id == shift.id, ShiftOffer.candidate_id.in_(wanted)
            )
        ).scalars()
    )
    candidates = list(
        db.session.execute(
            select(Candidate)
            .options(joinedload(Candidate.user))
            .where(Candidate.id.in_([c for c in wanted if c not in already]))
        ).scalars()
    )
    # In the order staff chose them (the database returns IN (...) rows in any order), so the
    # audit record and the e-mails follow the list staff saw.
    position = {c: i for i, c in enumerate(wanted)}
    candidates.sort(key=lambda c: position[c.id])
    made = [
        ShiftOffer(shift_id=shift.id, candidate_id=c.id, offered_by_id=staff.id)
        for c in candidates
        if c.status == "active"
    ]
    db.session.add_all(made)
    db.session.flush()
    audit.record(
        "shift_offered",
        actor_id=staff.id,
        object_type="shift",
        object_id=shift.id,
        details={"candidate_ids": [o.candidate_id for o in made]},
    )
    base = _worker_context(shift)
    by_id = {c.id: c for c in candidates}
    recipients = []
    for made_offer in made:
        user = by_id[made_offer.candidate_id].user
        if user is None or not user.active:
            continue
        context = {
            **base,
            "first_name": by_id[made_offer.candidate_id].first_name,
            "accept_url": notifications.link(f"/shifts/offer/{offer_token(made_offer)}"),
        }
        # Essential: an offer is the work itself, not a newsletter; it is sent to opted-out users.
        recipients.append((user.email, context, f"shift-offer:{made_offer.id}"))
    outbox.email_many("shift_offer", recipients, essential=True)
    return made


@dataclass
class AcceptResult:
    outcome: str  # booked | taken | gone | conflict | already
    booking: ShiftBooking | None = None

    @property
    def booked(self) -> bool:
        return self.outcome == "booked"


def conflicts(candidate_id: int, starts: datetime, ends: datetime, shift_id: int = 0) -> bool:
    """Does the candidate have another booked shift within the minimum rest of this one?"""
    rest = timedelta(hours=float(current_app.config.get("SHIFT_MIN_REST_HOURS", 10)))
    found = db.session.execute(
        select(ShiftBooking.id)
        .join(Shift, Shift.id == ShiftBooking.shift_id)
        .where(
            ShiftBooking.candidate_id == candidate_id,
            ShiftBooking.status == BookingStatus.BOOKED,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.id != shift_id,
            Shift.starts_at < ends + rest,
            Shift.ends_at > starts - rest,
        )
        .limit(1)
    ).first()
    return found is not None


def accept(offer_row: ShiftOffer) -> AcceptResult:
    """The candidate accepts; the first to reach the last place books it. Commits.

    The place is taken by a conditional UPDATE, not by reading and then writing: on PostgreSQL
    a second transaction updating the same row waits for the first to commit and then re-checks
    `booked_count < headcount` on the row as the first left it, so only one of them matches.
    """
    now = utcnow()
    shift = offer_row.shift
    if offer_row.status == OfferStatus.ACCEPTED:
        return AcceptResult("already", _booking_of(shift.id, offer_row.candidate_id))
    if offer_row.status != OfferStatus.PENDING:
        return AcceptResult("taken" if offer_row.status == OfferStatus.TAKEN else "gone")
    if shift.status == ShiftStatus.CANCELLED or shift.starts_at <= now:
        return AcceptResult("gone")
    earlier = _booking_of(shift.id, offer_row.candidate_id)
    if earlier is not None:
        # Booked already, or booked and cancelled: a cancellation stays on the record, so the
        # same shift is not booked again on top of it.
        booked = earlier.status == BookingStatus.BOOKED
        return AcceptResult("already", earlier) if booked else AcceptResult("gone")
    if conflicts(offer_row.candidate_id, shift.starts_at, shift.ends_at, shift.id):
        return AcceptResult("conflict")
    # The place first, then the offer. Every accept locks the shift's row before anything else,
    # so concurrent accepts queue on that one row: taking offer rows first deadlocked the winner
    # (closing the others' offers) against the losers (waiting on the shift, holding their own).
    took = db.session.execute(
        update(Shift)
        .where(
            Shift.id == shift.id,
            Shift.status == ShiftStatus.OPEN,
            Shift.booked_count < Shift.headcount,
        )
        .values(booked_count=Shift.booked_count + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if took.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        _mark_taken([offer_row.id])
        db.session.commit()
        return AcceptResult("taken")
    claimed = db.session.execute(
        update(ShiftOffer)
        .where(ShiftOffer.id == offer_row.id, ShiftOffer.status == OfferStatus.PENDING)
        .values(status=OfferStatus.ACCEPTED, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()  # the same person twice at once: the place goes back
        return AcceptResult("already")
    booking = ShiftBooking(shift_id=shift.id, candidate_id=offer_row.candidate_id, booked_at=now)
    rates.stamp_booking(booking, shift.opening)
    db.session.add(booking)
    db.session.flush()
    db.session.refresh(shift)
    if shift.booked_count >= shift.headcount:
        shift.status = ShiftStatus.FILLED
        _tell_others_taken(shift)
    _tell_booked(booking)
    db.session.commit()
    return AcceptResult("booked", booking)


def decline(offer_row: ShiftOffer) -> bool:
    if offer_row.status != OfferStatus.PENDING:
        return False
    offer_row.status = OfferStatus.DECLINED
    offer_row.responded_at = utcnow()
    return True


def _booking_of(shift_id: int, candidate_id: int) -> ShiftBooking | None:
    return db.session.execute(
        select(ShiftBooking).where(
            ShiftBooking.shift_id == shift_id, ShiftBooking.candidate_id == candidate_id
        )
    ).scalar_one_or_none()


def _mark_taken(offer_ids: Sequence[int]) -> None:
    if offer_ids:
        db.session.execute(
            update(ShiftOffer)
            .where(ShiftOffer.id.in_(list(offer_ids)), ShiftOffer.status == "pending")
            .values(status=OfferStatus.TAKEN, responded_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def _tell_others_taken(shift: Shift) -> None:
    """The shift is full: every offer still pending is closed and its person told so."""
    pending = list(
        db.session.execute(
            select(ShiftOffer)
            .options(joinedload(ShiftOffer.candidate).joinedload(Candidate.user))
            .where(ShiftOffer.shift_id == shift.id, ShiftOffer.status == "pending")
        ).scalars()
    )
    _mark_taken([o.id for o in pending])
    base = _worker_context(shift)
    recipients = [
        (
            o.candidate.user.email,
            {**base, "first_name": o.candidate.first_name},
            f"shift-taken:{o.id}",
        )
        for o in pending
        if o.candidate.user is not None and o.candidate.user.active
    ]
    outbox.email_many("shift_taken", recipients, essential=True)


def _tell_booked(booking: ShiftBooking) -> None:
    shift, candidate = booking.shift, booking.candidate
    context = {**_worker_context(shift), "first_name": candidate.first_name}
    if candidate.user is not None:
        outbox.email(
            "shift_booked",
            candidate.user.email,
            context,
            f"shift-booked:{booking.id}",
            essential=True,
        )
    clinic_context = {
        **_worker_context(shift),
        "worker_name": clinic_portal.display_name(candidate),
        "shifts_url": notifications.link(f"/clinic/shifts/{shift.id}"),
    }
    for member in notifications.clinic_members(shift.clinic_id):
        notifications.email_user(
            member, "shift_booked_clinic", clinic_context, f"shift-booked:{booking.id}"
        )


# -- cancelling ------------------------------------------------------------------------------


def cancel_shift(shift: Shift, by: str, reason: str, user: User) -> None:
    """The clinic or staff cancel the whole shift: bookings end (not late for the worker),
    pending offers are withdrawn, booked workers are told."""
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftError("This shift is already canceled.")
    if shift.starts_at <= utcnow():
        raise ShiftError("A shift that has started cannot be canceled.")
    if not reason:
        raise ShiftError("Say why the shift is canceled.", "reason")
    now = utcnow()
    audit.record(
        "shift_cancelled",
        actor_id=user.id,
        object_type="shift",
        object_id=shift.id,
        details={"by": by, "reason": reason[:500]},
    )
    shift.status = ShiftStatus.CANCELLED
    shift.cancelled_at = now
    shift.cancel_reason = reason
    for pending in shift.offers:
        if pending.status == OfferStatus.PENDING:
            pending.status = OfferStatus.WITHDRAWN
            pending.responded_at = now
    for booking in shift.bookings:
        if booking.status == BookingStatus.BOOKED:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = CancelledBy(by)
            booking.cancel_reason = reason
            _tell_worker_cancelled(booking)
    shift.booked_count = 0


def _tell_worker_cancelled(booking: ShiftBooking) -> None:
    candidate = booking.candidate
    if candidate.user is None:
        return
    context = {**_worker_context(booking.shift), "first_name": candidate.first_name}
    outbox.email(
        "shift_cancelled",
        candidate.user.email,
        context,
        f"shift-canceled:{booking.id}",
        essential=True,
    )


def cancel_booking(booking: ShiftBooking, by: str, reason: str, user: User) -> None:
    """One person's booking ends: the place opens again and staff hear of the new gap. A
    worker's own cancellation less than 24 hours before the start counts as late."""
    shift = booking.shift
    now = utcnow()
    if booking.status != BookingStatus.BOOKED:
        raise ShiftError("This booking is already canceled.")
    if shift.starts_at <= now:
        raise ShiftError("A shift that has started cannot be canceled.")
    if not reason:
        raise ShiftError("Say why you cancel.", "reason")
    audit.record(
        "shift_booking_cancelled",
        actor_id=user.id,
        object_type="shift",
        object_id=shift.id,
        candidate_id=booking.candidate_id,
        details={"by": by, "booking_id": booking.id},
    )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = CancelledBy(by)
    booking.cancel_reason = reason
    booking.late_cancellation = by == CancelledBy.WORKER and (
        shift.starts_at - now < LATE_CANCELLATION
    )
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id)
        .values(booked_count=Shift.booked_count - 1, status=ShiftStatus.OPEN, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if booking.late_cancellation:
        _record_changed(booking.candidate)
    if by != CancelledBy.WORKER:
        _tell_worker_cancelled(booking)
    notifications.tell_staff(
        "shift_gap", f"shift-gap:{booking.id}", shift_id=shift.id, booking_id=booking.id
    )


def _record_changed(candidate: Candidate) -> None:
    # The candidate pool re-reads candidates whose updated_at moved: their reliability changed.
    candidate.updated_at = utcnow()


# -- attendance ------------------------------------------------------------------------------


def can_mark(booking: ShiftBooking) -> bool:
    return booking.status == BookingStatus.BOOKED and booking.shift.starts_at <= utcnow()


def mark_attendance(booking: ShiftBooking, outcome: str, user: User) -> None:
    """The clinic says how the shift went (once it has started); they may change their mark
    until staff correct it."""
    if outcome not in ATTENDANCE_WORDS:
        raise ShiftError("Choose attended, late or no-show.", "outcome")
    if not can_mark(booking):
        raise ShiftError("Attendance can be marked once the shift has started.")
    if booking.attendance_correction:
        raise ShiftError("The agency corrected this record; ask them to change it.")
    booking.attendance = Attendance(outcome)
    booking.attendance_marked_at = utcnow()
    booking.attendance_marked_by_id = user.id
    audit.record(
        "shift_attendance_marked",
        actor_id=user.id,
        object_type="shift",
        object_id=booking.shift_id,
        candidate_id=booking.candidate_id,
        details={"booking_id": booking.id, "outcome": outcome},
    )
    _record_changed(booking.candidate)


def correct_attendance(booking: ShiftBooking, outcome: str, reason: str, staff: User) -> None:
    """Staff correct the record, with a reason (kept for staff)."""
    if outcome not in ATTENDANCE_WORDS:
        raise ShiftError("Choose attended, late or no-show.", "outcome")
    if not reason:
        raise ShiftError("Say why the record is corrected.", "reason")
    if not can_mark(booking):
        raise ShiftError("Attendance can be marked once the shift has started.")
    booking.attendance = Attendance(outcome)
    booking.attendance_marked_at = utcnow()
    booking.attendance_marked_by_id = staff.id
    booking.attendance_correction = reason
    audit.record(
        "shift_attendance_corrected",
        actor_id=staff.id,
        object_type="shift",
        object_id=booking.shift_id,
        candidate_id=booking.candidate_id,
        details={"booking_id": booking.id, "outcome": outcome, "reason": reason[:500]},
    )
    _record_changed(booking.candidate)


def attendance_token(booking: ShiftBooking, member: User) -> str:
    return str(_serializer(ATTENDANCE_SALT).dumps({"b": booking.id, "u": member.id}))


def read_attendance_token(token: str) -> tuple[ShiftBooking, User] | None:
    try:
        data = _serializer(ATTENDANCE_SALT).loads(token[:500], max_age=ATTENDANCE_LINK_DAYS * 86400)
        booking_id, user_id = int(data["b"]), int(data["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    booking = db.session.get(ShiftBooking, booking_id)
    member = db.session.get(User, user_id)
    if booking is None or member is None or not member.active:
        return None
    if member.role != Role.CLINIC or member.clinic_id != booking.shift.clinic_id:
        return None
    if member.is_clinic_viewer:  # made a viewer since the e-mail went out
        return None
    return booking, member


# -- periodic scans ----------------------------------------------------------------------------


def stage_reminders(now: datetime | None = None) -> int:
    """Remind booked workers 24 hours and 2 hours before; each reminder once (a stamp on the
    booking and the outbox's dedupe key). A missed scan still sends the nearer one. Commits."""
    now = now or utcnow()
    bookings = list(
        db.session.execute(
            select(ShiftBooking)
            .join(Shift, Shift.id == ShiftBooking.shift_id)
            .options(
                *_with_shift(ShiftBooking.shift),
                joinedload(ShiftBooking.candidate).joinedload(Candidate.user),
            )
            .where(
                ShiftBooking.status == BookingStatus.BOOKED,
                Shift.status != ShiftStatus.CANCELLED,
                Shift.starts_at > now,
                Shift.starts_at <= now + timedelta(hours=max(REMINDERS)),
                ShiftBooking.reminded_2h_at.is_(None),
            )
        ).scalars()
    )
    made = 0
    for booking in bookings:
        left = booking.shift.starts_at - now
        hours = 2 if left <= timedelta(hours=2) else 24
        if hours == 24 and booking.reminded_24h_at is not None:
            continue
        booking.reminded_24h_at = booking.reminded_24h_at or now
        if hours == 2:
            booking.reminded_2h_at = now
        user = booking.candidate.user
        if user is None:
            continue
        context = {
            **_worker_context(booking.shift),
            "first_name": booking.candidate.first_name,
            "hours": hours,
        }
        if outbox.email(
            "shift_reminder",
            user.email,
            context,
            f"shift-reminder:{booking.id}:{hours}",
            essential=True,
        ):
            made += 1
    db.session.commit()
    return made


def alert_unfilled(now: datetime | None = None) -> int:
    """Tell staff about each shift still short of people 48 hours before it starts (once per
    shift: the outbox key). Commits."""
    now = now or utcnow()
    ids = list(
        db.session.execute(
            select(Shift.id).where(
                Shift.status == ShiftStatus.OPEN,
                Shift.starts_at > now,
                Shift.starts_at <= now + UNFILLED_ALERT,
            )
        ).scalars()
    )
    made = sum(
        notifications.tell_staff("shift_unfilled", f"shift-unfilled:{sid}", shift_id=sid)
        is not None
        for sid in ids
    )
    db.session.commit()
    return made


def ask_attendance(now: datetime | None = None) -> int:
    """After a shift ends, ask the clinic once how it went, with one-click links. Commits."""
    now = now or utcnow()
    bookings = list(
        db.session.execute(
            select(ShiftBooking)
            .join(Shift, Shift.id == ShiftBooking.shift_id)
            .options(
                *_with_shift(ShiftBooking.shift),
                joinedload(ShiftBooking.candidate),
            )
            .where(
                ShiftBooking.status == BookingStatus.BOOKED,
                ShiftBooking.attendance.is_(None),
                ShiftBooking.attendance_asked_at.is_(None),
                Shift.status != ShiftStatus.CANCELLED,
                Shift.ends_at <= now,
                Shift.ends_at > now - timedelta(days=ATTENDANCE_LINK_DAYS),
            )
        ).scalars()
    )
    for booking in bookings:
        booking.attendance_asked_at = now
        shift = booking.shift
        # Marking attendance is a manager's act: a viewer's link would only be refused.
        for member in notifications.clinic_managers(shift.clinic_id):
            token = attendance_token(booking, member)
            context = {
                **_worker_context(shift),
                "worker_name": clinic_portal.display_name(booking.candidate),
                "mark_url": notifications.link(f"/shifts/attendance/{token}"),
                "shifts_url": notifications.link(f"/clinic/shifts/{shift.id}"),
            }
            outbox.email(
                "shift_attendance",
                member.email,
                context,
                f"shift-attendance:{booking.id}:u{member.id}",
                essential=True,
            )
    db.session.commit()
    return len(bookings)


# -- reading ---------------------------------------------------------------------------------


def _with_shift(relation: Any) -> tuple[Any, ...]:
    """Loader options for a booking's or offer's shift with what its words need."""
    return (
        joinedload(relation).joinedload(Shift.clinic),
        joinedload(relation).joinedload(Shift.opening),
    )


def shift_loaded() -> tuple[Any, ...]:
    return (
        joinedload(Shift.clinic),
        joinedload(Shift.opening),
        selectinload(Shift.bookings).joinedload(ShiftBooking.candidate),
        selectinload(Shift.offers).joinedload(ShiftOffer.candidate),
    )


def get_shift(shift_id: int) -> Shift | None:
    return db.session.execute(
        select(Shift).options(*shift_loaded()).where(Shift.id == shift_id)
    ).scalar_one_or_none()


def clinic_shifts(clinic: Clinic, upcoming: bool, limit: int = 100) -> list[Shift]:
    now = utcnow()
    query = select(Shift).options(*shift_loaded()).where(Shift.clinic_id == clinic.id)
    if upcoming:
        query = query.where(Shift.ends_at > now).order_by(Shift.starts_at, Shift.id)
    else:
        query = query.where(Shift.ends_at <= now).order_by(Shift.starts_at.desc(), Shift.id)
    return list(db.session.execute(query.limit(limit)).scalars().unique())


def week_of(day: date) -> tuple[date, date]:
    """The Monday of `day`'s week and the Monday after."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


# Every clock on Earth is within 14 hours of UTC (UTC-12 to UTC+14): a week's query reaches
# that far past its UTC midnights, then keeps the shifts by their clinic's own date.
ZONE_REACH = timedelta(hours=14)


def staff_week(day: date) -> list[Shift]:
    """The week's shifts (Monday to Sunday by the date each starts on at its clinic), gaps
    first: open shifts soonest first, then the filled and the canceled ones."""
    monday, next_monday = week_of(day)
    starts = datetime.combine(monday, time(0), tzinfo=UTC) - ZONE_REACH
    ends = datetime.combine(next_monday, time(0), tzinfo=UTC) + ZONE_REACH
    rows = (
        db.session.execute(
            select(Shift)
            .options(*shift_loaded())
            .where(Shift.starts_at >= starts, Shift.starts_at < ends)
        )
        .scalars()
        .unique()
    )
    # By the clinic's date: a 7 pm Pacific start is that day's, though past midnight in UTC.
    shifts = [s for s in rows if monday <= local(s).date() < next_monday]
    rank = {ShiftStatus.OPEN: 0, ShiftStatus.FILLED: 1, ShiftStatus.CANCELLED: 2}
    shifts.sort(key=lambda s: (rank.get(s.status, 3), s.starts_at, s.id))
    return shifts


def candidate_offers(candidate: Candidate) -> list[ShiftOffer]:
    return list(
        db.session.execute(
            select(ShiftOffer)
            .join(Shift, Shift.id == ShiftOffer.shift_id)
            .options(
                *_with_shift(ShiftOffer.shift),
            )
            .where(
                ShiftOffer.candidate_id == candidate.id,
                ShiftOffer.status == OfferStatus.PENDING,
                Shift.starts_at > utcnow(),
                Shift.status == ShiftStatus.OPEN,
            )
            .order_by(Shift.starts_at)
        ).scalars()
    )


def candidate_bookings(candidate: Candidate, upcoming: bool, limit: int = 50) -> list[ShiftBooking]:
    now = utcnow()
    query = (
        select(ShiftBooking)
        .join(Shift, Shift.id == ShiftBooking.shift_id)
        .options(
            *_with_shift(ShiftBooking.shift),
        )
        .where(ShiftBooking.candidate_id == candidate.id)
    )
    if upcoming:
        query = query.where(
            Shift.ends_at > now, ShiftBooking.status == BookingStatus.BOOKED
        ).order_by(Shift.starts_at)
    else:
        query = query.where(Shift.ends_at <= now).order_by(Shift.starts_at.desc())
    return list(db.session.execute(query.limit(limit)).scalars())


def open_gaps_count() -> int:
    return int(
        db.session.scalar(
            select(func.count(Shift.id)).where(
                Shift.status == ShiftStatus.OPEN, Shift.starts_at > utcnow()
            )
        )
        or 0
    )


# -- for the calendar feed (issue 18 section 1 builds the .ics) ---------------------------


@dataclass(frozen=True)
class CalendarShift:
    """One shift as a calendar event: what a feed of this user may show."""

    uid: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    time_zone: str  # the clinic's IANA zone
    summary: str
    location: str
    description: str
    cancelled: bool
    updated_at: datetime


def upcoming_shifts_for(user: User, days_back: int = 7) -> list[CalendarShift]:
    """The shifts a user's private calendar feed lists: a candidate's booked ones (notes for the
    worker included), a clinic's own shifts, every shift for staff. From a week ago on, so a
    cancellation still reaches the calendar as a canceled event."""
    since = utcnow() - timedelta(days=days_back)
    query = select(Shift).options(joinedload(Shift.clinic), joinedload(Shift.opening))
    query = query.where(Shift.ends_at > since).order_by(Shift.starts_at, Shift.id)
    cancelled_ids: set[int] = set()
    if user.role == Role.CANDIDATE:
        candidate = db.session.execute(
            select(Candidate).where(Candidate.user_id == user.id)
        ).scalar_one_or_none()
        if candidate is None:
            return []
        rows = db.session.execute(
            select(ShiftBooking.shift_id, ShiftBooking.status).where(
                ShiftBooking.candidate_id == candidate.id
            )
        ).all()
        if not rows:
            return []
        cancelled_ids = {sid for sid, status in rows if status != BookingStatus.BOOKED}
        query = query.where(Shift.id.in_([sid for sid, _ in rows]))
    elif user.role == Role.CLINIC:
        if user.clinic_id is None:
            return []
        query = query.where(Shift.clinic_id == user.clinic_id)
    elif user.role not in (Role.STAFF, Role.ADMIN):
        return []
    out = []
    for shift in db.session.execute(query.limit(1000)).scalars().unique():
        clinic = shift.clinic
        out.append(
            CalendarShift(
                uid=f"shift-{shift.id}@clinicmatch",
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                time_zone=str(clinic_zone(clinic)),
                summary=f"Shift: {shift.opening.title} at {clinic.name}",
                location=", ".join(
                    p
                    for p in (clinic.address_line, clinic.city, clinic.state, clinic.zip_code)
                    if p
                ),
                description=shift.notes,
                cancelled=shift.status == ShiftStatus.CANCELLED or shift.id in cancelled_ids,
                updated_at=shift.updated_at,
            )
        )
    return out


def calendar_events(user: User, since: datetime) -> list[CalendarEvent]:
    """The user's shifts as their private calendar feed shows them (a `calendar_feed` source).

    A shift's SEQUENCE is its last change in whole seconds: it only grows, so a calendar that
    already has the event replaces it with the newer version (a moved or canceled shift)."""
    days_back = max((utcnow() - since).days, 0)
    return [
        CalendarEvent(
            uid=s.uid,
            sequence=int(s.updated_at.timestamp()),
            start=s.starts_at,
            end=s.ends_at,
            zone=ZoneInfo(s.time_zone),
            summary=s.summary,
            description=s.description,
            location=s.location,
            cancelled=s.cancelled,
        )
        for s in upcoming_shifts_for(user, days_back=days_back)
    ]

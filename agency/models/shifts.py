"""Temp and per-diem shifts: the clinic's request, the agency's offers, the worker's booking and
what happened on the day (attendance), which the reliability score reads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.clinics import Clinic
    from agency.models.openings import Opening


class ShiftStatus(StrEnum):
    OPEN = "open"  # fewer people booked than it needs
    FILLED = "filled"
    CANCELLED = "cancelled"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"  # someone else accepted first
    WITHDRAWN = "withdrawn"  # the shift was cancelled


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    ATTENDED = "attended"
    LATE = "late"
    NO_SHOW = "no_show"


class CancelledBy(StrEnum):
    CLINIC = "clinic"
    WORKER = "worker"
    STAFF = "staff"


class Shift(Model):
    __tablename__ = "shifts"
    __table_args__ = (
        enum_check("status", ShiftStatus),
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint("headcount BETWEEN 1 AND 50", name="headcount_range"),
        CheckConstraint("booked_count >= 0 AND booked_count <= headcount", name="booked_range"),
        CheckConstraint("break_minutes BETWEEN 0 AND 240", name="break_range"),
        # The staff week view and the reminder / unfilled scans read shifts by start time.
        Index("ix_shifts_status_starts", "status", "starts_at"),
        Index("ix_shifts_clinic_starts", "clinic_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    # The opening's clinic, kept on the row: every access check and list filters on it.
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    # Raised only by a conditional UPDATE (booked_count < headcount): two accepts at the same
    # moment cannot both take the last place.
    booked_count: Mapped[int] = mapped_column(Integer, default=0)
    # For the worker: where to report, parking, who to ask for.
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ShiftStatus] = mapped_column(enum_type(ShiftStatus), default=ShiftStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    opening: Mapped[Opening] = relationship()
    clinic: Mapped[Clinic] = relationship()
    offers: Mapped[list[ShiftOffer]] = relationship(
        back_populates="shift", cascade="all, delete-orphan"
    )
    bookings: Mapped[list[ShiftBooking]] = relationship(
        back_populates="shift", cascade="all, delete-orphan"
    )

    @property
    def open_places(self) -> int:
        return max(self.headcount - self.booked_count, 0)

    @property
    def paid_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60) - self.break_minutes

    def __repr__(self) -> str:
        return f"<Shift {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class ShiftOffer(Model):
    __tablename__ = "shift_offers"
    __table_args__ = (
        UniqueConstraint("shift_id", "candidate_id"),
        enum_check("status", OfferStatus),
        Index("ix_shift_offers_candidate_status", "candidate_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus), default=OfferStatus.PENDING)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shift: Mapped[Shift] = relationship(back_populates="offers")
    candidate: Mapped[Candidate] = relationship()


class ShiftBooking(Model):
    __tablename__ = "shift_bookings"
    __table_args__ = (
        UniqueConstraint("shift_id", "candidate_id"),
        enum_check("status", BookingStatus),
        enum_check("attendance", Attendance),
        enum_check("cancelled_by", CancelledBy),
        # A candidate's record (reliability) and calendar read their bookings by candidate.
        Index("ix_shift_bookings_candidate_status", "candidate_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus), default=BookingStatus.BOOKED
    )
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[CancelledBy | None] = mapped_column(enum_type(CancelledBy))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # A worker's own cancellation less than 24 hours before the start: it counts on the record.
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance: Mapped[Attendance | None] = mapped_column(enum_type(Attendance))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attendance_marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Staff's reason when they corrected what the clinic marked (staff only).
    attendance_correction: Mapped[str] = mapped_column(Text, default="")
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_2h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the clinic was asked to mark attendance (once, after the shift ended).
    attendance_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rates per hour for this booking, set when it is booked (opening, else the clinic's rate
    # card; services/rates.py); its timesheet copies them. Empty only on rows older than 0018.
    pay_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    bill_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

    shift: Mapped[Shift] = relationship(back_populates="bookings")
    candidate: Mapped[Candidate] = relationship()


SHIFT_EMPLOYMENT_TYPES = ("temp", "per_diem", "temp_to_hire")


def status_label(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


__all__ = [
    "SHIFT_EMPLOYMENT_TYPES",
    "Attendance",
    "BookingStatus",
    "CancelledBy",
    "OfferStatus",
    "Shift",
    "ShiftBooking",
    "ShiftOffer",
    "ShiftStatus",
    "status_label",
]

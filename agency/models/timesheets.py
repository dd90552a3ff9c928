"""Timesheets: the hours a worker actually worked on one booked shift, as submitted by the worker,
approved or disputed by the clinic and (when disputed) resolved by staff. Approved hours x bill
rate make the invoice line; x pay rate make payroll."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.rates import AMOUNT, MULTIPLIER, RATE
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.clinics import Clinic
    from agency.models.shifts import Shift, ShiftBooking
    from agency.models.users import User


class TimesheetStatus(StrEnum):
    DUE = "due"  # the shift ended; the worker has not submitted yet
    SUBMITTED = "submitted"  # waiting for the clinic
    APPROVED = "approved"  # the clinic approved: billable
    DISPUTED = "disputed"  # the clinic disputed (reason given): waiting for staff
    RESOLVED = "resolved"  # staff set the final times: billable


# The statuses whose hours are final and may be invoiced and paid.
BILLABLE_STATUSES = frozenset({TimesheetStatus.APPROVED, TimesheetStatus.RESOLVED})


class Timesheet(Model):
    __tablename__ = "timesheets"
    __table_args__ = (
        enum_check("status", TimesheetStatus),
        CheckConstraint("ended_at > started_at", name="times_ordered"),
        CheckConstraint("break_minutes BETWEEN 0 AND 240", name="break_range"),
        CheckConstraint(
            "regular_minutes >= 0 AND overtime_minutes >= 0 AND holiday_minutes >= 0",
            name="minutes_nonnegative",
        ),
        # The clinic's and staff lists and the invoice run read by clinic, status and time.
        Index("ix_timesheets_clinic_status_started", "clinic_id", "status", "started_at"),
        # The overtime week of a worker, the worker's list.
        Index("ix_timesheets_candidate_started", "candidate_id", "started_at"),
        Index("ix_timesheets_status_started", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One timesheet per booking.
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("shift_bookings.id", ondelete="CASCADE"), unique=True
    )
    # Copied from the booking / shift: every access check and list filters on these.
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    status: Mapped[TimesheetStatus] = mapped_column(
        enum_type(TimesheetStatus), default=TimesheetStatus.DUE
    )
    # The hours (UTC; shown in the clinic's zone). Prefilled from the shift while DUE; then what
    # the worker submitted; after a resolution, what staff set.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Unpaid break, minutes.
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # What the worker first submitted, kept when staff correct the times (for the dispute record).
    submitted_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_break_minutes: Mapped[int | None] = mapped_column(Integer)
    # Rates for this sheet, copied from the booking when the sheet is made (never from a later
    # rate-card change). Staff only see both; the worker sees pay; the clinic sees bill.
    pay_rate: Mapped[Decimal] = mapped_column(RATE)
    bill_rate: Mapped[Decimal] = mapped_column(RATE)
    overtime_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.50"))
    holiday_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.00"))
    # The split of the paid minutes, recomputed by services.timesheets for the worker's whole
    # workweek whenever a sheet in it changes (overtime depends on the other sheets of the week).
    # regular + overtime + holiday = worked minutes (end - start - break). An overtime minute on a
    # holiday counts as overtime (no stacking of premiums).
    regular_minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    holiday_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Line amounts (rounded once per line, services/money.py): what the worker earns and what the
    # clinic is charged for this sheet, given the split above.
    pay_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    bill_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Approval or dispute by the clinic (one of them; who and when).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The clinic's reason for a dispute (read by the clinic, staff and the worker).
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Staff's reason for the final times (read by the clinic, staff and the worker).
    resolution_reason: Mapped[str] = mapped_column(Text, default="")
    # Reminders, once each: the worker (not submitted 24 h after the shift), the clinic (not
    # reviewed 48 h after submission).
    worker_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clinic_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    booking: Mapped[ShiftBooking] = relationship()
    shift: Mapped[Shift] = relationship()
    clinic: Mapped[Clinic] = relationship()
    candidate: Mapped[Candidate] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def worked_minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60) - self.break_minutes

    @property
    def billable(self) -> bool:
        return self.status in BILLABLE_STATUSES


__all__ = ["BILLABLE_STATUSES", "Timesheet", "TimesheetStatus"]

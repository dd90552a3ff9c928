"""Money rates: a clinic's rate card (pay and bill per hour by role, with the overtime and holiday
multipliers) and the clinic's holiday calendar. Placements, openings and bookings carry their own
copy of the two rates (columns on those tables), defaulted from here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.skills import RoleType
from agency.models.types import UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.clinics import Clinic

# Rates per hour are NUMERIC(10, 2); multipliers NUMERIC(4, 2); amounts NUMERIC(12, 2).
RATE = Numeric(10, 2)
MULTIPLIER = Numeric(4, 2)
AMOUNT = Numeric(12, 2)


class RateCard(Model):
    """What a clinic pays the agency (bill) and the agency pays the worker (pay) per hour, for one
    role at that clinic. One row per (clinic, role)."""

    __tablename__ = "rate_cards"
    __table_args__ = (
        UniqueConstraint("clinic_id", "role_type"),
        enum_check("role_type", RoleType),
        CheckConstraint("pay_rate >= 0 AND bill_rate >= 0", name="rates_nonnegative"),
        CheckConstraint(
            "overtime_multiplier >= 1 AND holiday_multiplier >= 1", name="multipliers_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    # receptionist / secretary / hybrid (the opening's role_type picks the row).
    role_type: Mapped[RoleType] = mapped_column(enum_type(RoleType))
    # Dollars per hour the worker earns (staff and the worker see it; never the clinic).
    pay_rate: Mapped[Decimal] = mapped_column(RATE)
    # Dollars per hour the clinic is charged (staff and the clinic see it; never the worker).
    bill_rate: Mapped[Decimal] = mapped_column(RATE)
    # Hours over 40 in a workweek pay and bill at rate x this (US FLSA: at least 1.5).
    overtime_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.50"))
    # Hours on one of the clinic's holidays pay and bill at rate x this (1.00 = no premium).
    holiday_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.50"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    clinic: Mapped[Clinic] = relationship()


class ClinicHoliday(Model):
    """A day (in the clinic's zone) whose hours get the holiday multiplier."""

    __tablename__ = "clinic_holidays"
    __table_args__ = (UniqueConstraint("clinic_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    # The local calendar date (midnight to midnight in clinics.time_zone).
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100), default="")


__all__ = ["AMOUNT", "MULTIPLIER", "RATE", "ClinicHoliday", "RateCard"]

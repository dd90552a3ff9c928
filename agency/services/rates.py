"""Rates: the clinic's rate card (by role), the clinic's holidays and workweek, and the pay and
bill rates every opening, placement and booking carries. The default chain is
booking / placement <- opening <- the clinic's rate card for the opening's role.

Staff set rates; every change is in the audit log with the old and new figures. Nothing here
commits: the caller commits with its own change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from agency.extensions import db
from agency.models import Application, Clinic, ClinicHoliday, Opening, RateCard, ShiftBooking, User
from agency.models.skills import RoleType
from agency.services import audit
from agency.services.errors import FieldError

DEFAULT_OVERTIME = Decimal("1.50")
DEFAULT_HOLIDAY = Decimal("1.50")
MAX_MULTIPLIER = Decimal("5")
# Roles a rate card is kept for (the opening's role_type picks one).
CARD_ROLES = (RoleType.RECEPTIONIST, RoleType.SECRETARY, RoleType.HYBRID)


class RateError(FieldError):
    """A rate card or calendar change refused; `field` names the form field it is about."""


@dataclass(frozen=True)
class Rates:
    pay: Decimal | None
    bill: Decimal | None
    overtime_multiplier: Decimal = DEFAULT_OVERTIME
    holiday_multiplier: Decimal = DEFAULT_HOLIDAY


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# -- reading -----------------------------------------------------------------------------------


def cards_of(clinic_id: int) -> dict[str, RateCard]:
    rows = db.session.execute(select(RateCard).where(RateCard.clinic_id == clinic_id)).scalars()
    return {card.role_type: card for card in rows}


def card_for(clinic_id: int, role_type: str) -> RateCard | None:
    return db.session.execute(
        select(RateCard).where(RateCard.clinic_id == clinic_id, RateCard.role_type == role_type)
    ).scalar_one_or_none()


def for_opening(opening: Opening) -> Rates:
    """The opening's own rates, each falling back to the clinic's card for its role."""
    card = card_for(opening.clinic_id, opening.role_type)
    card_pay = card.pay_rate if card else None
    card_bill = card.bill_rate if card else None
    return Rates(
        pay=opening.pay_rate if opening.pay_rate is not None else card_pay,
        bill=opening.bill_rate if opening.bill_rate is not None else card_bill,
        overtime_multiplier=card.overtime_multiplier if card else DEFAULT_OVERTIME,
        holiday_multiplier=card.holiday_multiplier if card else DEFAULT_HOLIDAY,
    )


def for_booking(booking: ShiftBooking) -> Rates:
    """A booking's rates (its own, else its opening's, else the card) and the multipliers."""
    base = for_opening(booking.shift.opening)
    return Rates(
        pay=booking.pay_rate if booking.pay_rate is not None else base.pay,
        bill=booking.bill_rate if booking.bill_rate is not None else base.bill,
        overtime_multiplier=base.overtime_multiplier,
        holiday_multiplier=base.holiday_multiplier,
    )


def holidays_of(clinic_id: int) -> list[ClinicHoliday]:
    return list(
        db.session.execute(
            select(ClinicHoliday)
            .where(ClinicHoliday.clinic_id == clinic_id)
            .order_by(ClinicHoliday.day)
        ).scalars()
    )


def holiday_days(clinic_id: int) -> set[date]:
    return set(
        db.session.execute(
            select(ClinicHoliday.day).where(ClinicHoliday.clinic_id == clinic_id)
        ).scalars()
    )


# -- stamping defaults -------------------------------------------------------------------------


def stamp_booking(booking: ShiftBooking, opening: Opening) -> None:
    """Give a new booking (of a shift of `opening`) its rates from the opening / rate card, when
    it has none yet."""
    found = for_opening(opening)
    if booking.pay_rate is None:
        booking.pay_rate = found.pay
    if booking.bill_rate is None:
        booking.bill_rate = found.bill


def stamp_placement(application: Application) -> None:
    """Give a placement its rates from the opening / rate card (when it has none yet)."""
    found = for_opening(application.opening)
    if application.pay_rate is None:
        application.pay_rate = found.pay
    if application.bill_rate is None:
        application.bill_rate = found.bill


# -- changing ----------------------------------------------------------------------------------


def _check_pair(pay: Decimal | None, bill: Decimal | None) -> None:
    for value, field in ((pay, "pay_rate"), (bill, "bill_rate")):
        if value is not None and (value < 0 or value >= Decimal("100000000")):
            raise RateError("Enter an hourly amount from 0 to 99,999,999.99.", field)


def _check_multiplier(value: Decimal, field: str) -> None:
    if value < 1 or value > MAX_MULTIPLIER:
        raise RateError(f"Enter a multiplier from 1 to {MAX_MULTIPLIER}.", field)


def set_card(
    clinic: Clinic,
    role_type: str,
    pay: Decimal,
    bill: Decimal,
    overtime_multiplier: Decimal,
    holiday_multiplier: Decimal,
    actor: User,
    ip: str = "",
) -> RateCard:
    if role_type not in CARD_ROLES:
        raise RateError("Choose a role.", "role_type")
    _check_pair(pay, bill)
    _check_multiplier(overtime_multiplier, "overtime_multiplier")
    _check_multiplier(holiday_multiplier, "holiday_multiplier")
    card = card_for(clinic.id, role_type)
    before: dict[str, Any] = {}
    if card is None:
        card = RateCard(clinic_id=clinic.id, role_type=role_type)
        db.session.add(card)
    else:
        before = {
            "pay_rate": _money(card.pay_rate),
            "bill_rate": _money(card.bill_rate),
            "overtime_multiplier": _money(card.overtime_multiplier),
            "holiday_multiplier": _money(card.holiday_multiplier),
        }
    card.pay_rate, card.bill_rate = pay, bill
    card.overtime_multiplier, card.holiday_multiplier = overtime_multiplier, holiday_multiplier
    card.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        "rate_card_changed",
        actor_id=actor.id,
        object_type="clinic",
        object_id=clinic.id,
        ip=ip,
        details={
            "role_type": role_type,
            "before": before,
            "after": {
                "pay_rate": _money(pay),
                "bill_rate": _money(bill),
                "overtime_multiplier": _money(overtime_multiplier),
                "holiday_multiplier": _money(holiday_multiplier),
            },
        },
    )
    return card


def set_calendar(
    clinic: Clinic,
    workweek_starts_on: int,
    holidays: list[tuple[date, str]],
    actor: User,
    ip: str = "",
) -> None:
    """Replace the clinic's workweek start and holiday list."""
    if workweek_starts_on not in range(7):
        raise RateError("Choose a day.", "workweek_starts_on")
    days = sorted({d: n for d, n in holidays}.items())
    before = {
        "workweek_starts_on": clinic.workweek_starts_on,
        "holidays": [h.day.isoformat() for h in holidays_of(clinic.id)],
    }
    clinic.workweek_starts_on = workweek_starts_on
    db.session.execute(delete(ClinicHoliday).where(ClinicHoliday.clinic_id == clinic.id))
    for day, name in days:
        db.session.add(ClinicHoliday(clinic_id=clinic.id, day=day, name=name[:100]))
    db.session.flush()
    audit.record(
        "clinic_calendar_changed",
        actor_id=actor.id,
        object_type="clinic",
        object_id=clinic.id,
        ip=ip,
        details={
            "before": before,
            "after": {
                "workweek_starts_on": workweek_starts_on,
                "holidays": [d.isoformat() for d, _ in days],
            },
        },
    )


def _set_pair(
    row: Opening | Application | ShiftBooking,
    kind: str,
    pay: Decimal | None,
    bill: Decimal | None,
    actor: User,
    ip: str,
    candidate_id: int | None = None,
) -> None:
    _check_pair(pay, bill)
    before = {"pay_rate": _money(row.pay_rate), "bill_rate": _money(row.bill_rate)}
    row.pay_rate, row.bill_rate = pay, bill
    audit.record(
        f"{kind}_rates_changed",
        actor_id=actor.id,
        object_type=kind,
        object_id=row.id,
        ip=ip,
        candidate_id=candidate_id,
        details={"before": before, "after": {"pay_rate": _money(pay), "bill_rate": _money(bill)}},
    )


def set_opening_rates(
    opening: Opening, pay: Decimal | None, bill: Decimal | None, actor: User, ip: str = ""
) -> None:
    _set_pair(opening, "opening", pay, bill, actor, ip)


def set_placement_rates(
    application: Application, pay: Decimal | None, bill: Decimal | None, actor: User, ip: str = ""
) -> None:
    _set_pair(application, "application", pay, bill, actor, ip, application.candidate_id)


def set_booking_rates(
    booking: ShiftBooking, pay: Decimal | None, bill: Decimal | None, actor: User, ip: str = ""
) -> None:
    _set_pair(booking, "booking", pay, bill, actor, ip, booking.candidate_id)

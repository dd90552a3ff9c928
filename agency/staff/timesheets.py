"""Staff's money pages: every timesheet (disputes first) with pay, bill and margin; resolving a
dispute with the final hours; a clinic's rate card, holidays and workweek."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import (
    DecimalField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm, choices, show_field_error
from agency.models import STAFF_ROLES, Clinic, Timesheet, TimesheetStatus
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import money, rates, timesheets
from agency.services.rates import RateError
from agency.services.timesheets import TimesheetError
from agency.staff import bp
from agency.time_entry import TimeEntryForm

SHOWS = {
    "disputed": (TimesheetStatus.DISPUTED,),
    "waiting": (TimesheetStatus.SUBMITTED,),
    "due": (TimesheetStatus.DUE,),
    "final": (TimesheetStatus.APPROVED, TimesheetStatus.RESOLVED),
    "all": (),
}
RATE_LIMITS = NumberRange(min=0, max=99_999_999, message="Enter an amount from 0.")
MULTIPLIER_LIMITS = NumberRange(min=1, max=5, message="Enter 1 to 5.")


class ResolveForm(TimeEntryForm):
    reason = TextAreaField(
        "Reason (the clinic and the worker read it)",
        validators=[InputRequired(message="Give the reason."), Length(max=1000)],
    )


class RateCardForm(BaseForm):
    role_type = SelectField(
        "Role", choices=choices([(r, r.capitalize()) for r in rates.CARD_ROLES])
    )
    pay_rate = DecimalField(
        "Pay rate ($/hour)", places=2, validators=[InputRequired(), RATE_LIMITS]
    )
    bill_rate = DecimalField(
        "Bill rate ($/hour)", places=2, validators=[InputRequired(), RATE_LIMITS]
    )
    overtime_multiplier = DecimalField(
        "Overtime multiplier",
        places=2,
        default=Decimal("1.50"),
        validators=[InputRequired(), MULTIPLIER_LIMITS],
    )
    holiday_multiplier = DecimalField(
        "Holiday multiplier",
        places=2,
        default=Decimal("1.50"),
        validators=[InputRequired(), MULTIPLIER_LIMITS],
    )


class CalendarForm(BaseForm):
    workweek_starts_on = SelectField(
        "Workweek starts on",
        choices=choices([(str(i), name) for i, name in enumerate(timesheets.WEEKDAYS)]),
    )
    holidays = TextAreaField(
        "Holidays",
        validators=[Optional(), Length(max=5000)],
        description=(
            "One a line: the date (YYYY-MM-DD), then its name. Hours on these days get the"
            " holiday multiplier."
        ),
    )

    def parsed_holidays(self) -> list[tuple[date, str]] | None:
        days: list[tuple[date, str]] = []
        for line in (self.holidays.data or "").splitlines():
            if not line.strip():
                continue
            head, _, name = line.strip().partition(" ")
            try:
                days.append((date.fromisoformat(head), name.strip()))
            except ValueError:
                self.holidays.errors = [f"Not a date: {head[:20]!r} (use YYYY-MM-DD)."]
                return None
        return days


def _sheet_or_404(timesheet_id: int) -> Timesheet:
    sheet = timesheets.get(timesheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _clinic_or_404(clinic_id: int) -> Clinic:
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        abort(404)
    return clinic


@bp.route("/timesheets")
@roles_required(*STAFF_ROLES)
def timesheets_list() -> ResponseReturnValue:
    show = request.args.get("show", "disputed")
    show = show if show in SHOWS else "disputed"
    if timesheets.make_due():
        db.session.commit()
    sheets = timesheets.of_staff(SHOWS[show])
    return render_template(
        "timesheets/staff_list.html",
        show=show,
        sheets=sheets,
        when=timesheets.when,
        status_words=timesheets.status_words,
        hours=money.hours,
        margin=money.margin,
    )


@bp.route("/timesheets/<int:timesheet_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def timesheet(timesheet_id: int) -> ResponseReturnValue:
    sheet = _sheet_or_404(timesheet_id)
    form = ResolveForm()
    status = 200
    if timesheets.can_resolve(sheet) and form.validate_on_submit():
        try:
            timesheets.resolve(sheet, form.times(), form.reason.data, signed_in_user(), client_ip())
        except TimesheetError as exc:
            db.session.rollback()
            show_field_error(form, exc)
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash("Resolved: the final hours are set.", "success")
            return redirect(url_for("staff.timesheets_list"))
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
        if not timesheets.can_resolve(sheet):
            form.form_errors.append("Only a disputed timesheet can be resolved.")
    else:
        form.show(timesheets.local_times(sheet))
    return render_template(
        "timesheets/staff_sheet.html",
        sheet=sheet,
        form=form,
        when=timesheets.when,
        status_words=timesheets.status_words,
        hours=money.hours,
        margin=money.margin,
        can_resolve=timesheets.can_resolve(sheet),
    ), status


def _render_rates(
    clinic: Clinic,
    card_form: RateCardForm | None = None,
    calendar_form: CalendarForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if calendar_form is None:
        calendar_form = CalendarForm(formdata=None)
        calendar_form.workweek_starts_on.data = str(clinic.workweek_starts_on)
        calendar_form.holidays.data = "\n".join(
            f"{h.day.isoformat()} {h.name}".strip() for h in rates.holidays_of(clinic.id)
        )
    cards = rates.cards_of(clinic.id)
    return render_template(
        "timesheets/staff_rates.html",
        clinic=clinic,
        cards=[cards[r] for r in rates.CARD_ROLES if r in cards],
        card_form=card_form or RateCardForm(formdata=None),
        calendar_form=calendar_form,
        margin=money.margin,
        weekdays=timesheets.WEEKDAYS,
    ), status


@bp.route("/clinics/<int:clinic_id>/rates", methods=["GET"])
@roles_required(*STAFF_ROLES)
def clinic_rates(clinic_id: int) -> ResponseReturnValue:
    return _render_rates(_clinic_or_404(clinic_id))


@bp.route("/clinics/<int:clinic_id>/rates/card", methods=["POST"])
@roles_required(*STAFF_ROLES)
def clinic_rate_card(clinic_id: int) -> ResponseReturnValue:
    clinic = _clinic_or_404(clinic_id)
    form = RateCardForm()
    if form.validate_on_submit():
        try:
            rates.set_card(
                clinic,
                form.role_type.data,
                money.round_line(form.pay_rate.data),
                money.round_line(form.bill_rate.data),
                money.round_line(form.overtime_multiplier.data),
                money.round_line(form.holiday_multiplier.data),
                signed_in_user(),
                client_ip(),
            )
        except RateError as exc:
            db.session.rollback()
            show_field_error(form, exc)
        else:
            db.session.commit()
            flash("Rate card saved. New bookings and placements use it.", "success")
            return redirect(url_for("staff.clinic_rates", clinic_id=clinic.id))
    return _render_rates(clinic, card_form=form, status=FORM_ERROR_STATUS)


@bp.route("/clinics/<int:clinic_id>/rates/calendar", methods=["POST"])
@roles_required(*STAFF_ROLES)
def clinic_calendar(clinic_id: int) -> ResponseReturnValue:
    clinic = _clinic_or_404(clinic_id)
    form = CalendarForm()
    if form.validate_on_submit():
        days = form.parsed_holidays()
        if days is not None:
            try:
                rates.set_calendar(
                    clinic, int(form.workweek_starts_on.data), days, signed_in_user(), client_ip()
                )
            except RateError as exc:
                db.session.rollback()
                show_field_error(form, exc)
            else:
                db.session.commit()
                flash("Workweek and holidays saved.", "success")
                return redirect(url_for("staff.clinic_rates", clinic_id=clinic.id))
    return _render_rates(clinic, calendar_form=form, status=FORM_ERROR_STATUS)

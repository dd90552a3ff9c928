"""The clinic's shifts: request them, see who is coming, cancel, and say how each went."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.clinics import bp
from agency.clinics.shift_forms import AttendanceForm, CancelShiftForm, ShiftRequestForm
from agency.clinics.views import my_clinic
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, show_field_error
from agency.models import CancelledBy, Clinic, Role, Shift, ShiftBooking, utcnow
from agency.security import client_ip, clinic_manager_required, roles_required
from agency.services import clinic_portal, shifts
from agency.services.shifts import ShiftError


def _own_shift(clinic: Clinic, shift_id: int) -> Shift:
    shift = shifts.get_shift(shift_id)
    if shift is None or shift.clinic_id != clinic.id:
        abort(404)
    return shift


def _own_booking(shift: Shift, booking_id: int) -> ShiftBooking:
    booking = next((b for b in shift.bookings if b.id == booking_id), None)
    if booking is None:
        abort(404)
    return booking


@bp.route("/shifts")
@roles_required(Role.CLINIC)
def shifts_page() -> ResponseReturnValue:
    clinic = my_clinic()
    return render_template(
        "shifts/clinic_list.html",
        clinic=clinic,
        upcoming=shifts.clinic_shifts(clinic, upcoming=True),
        past=shifts.clinic_shifts(clinic, upcoming=False, limit=30),
        when=shifts.when,
        display_name=clinic_portal.display_name,
        words=shifts.ATTENDANCE_WORDS,
        can_request=bool(shifts.shift_openings(clinic)),
    )


@bp.route("/shifts/new", methods=["GET", "POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def new_shift() -> ResponseReturnValue:
    clinic = my_clinic()
    if not clinic.approved:
        return render_template("clinics/waiting.html", clinic=clinic), 403
    openings = shifts.shift_openings(clinic)
    form = ShiftRequestForm(openings=openings)
    status = 200
    if form.validate_on_submit():
        try:
            shift = shifts.request_shift(clinic, form.to_request(), current_user, client_ip())
        except ShiftError as exc:
            db.session.rollback()
            show_field_error(form, exc)
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash("Your shift is requested. The agency is finding people for it.", "success")
            return redirect(url_for("clinics.shift", shift_id=shift.id))
    return render_template(
        "shifts/clinic_new.html", form=form, clinic=clinic, openings=openings
    ), status


@bp.route("/shifts/<int:shift_id>")
@roles_required(Role.CLINIC)
def shift(shift_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    found = _own_shift(clinic, shift_id)
    return _render_shift(found)


def _render_shift(
    found: Shift,
    cancel_form: CancelShiftForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "shifts/clinic_shift.html",
        shift=found,
        when=shifts.when(found),
        cancel_form=cancel_form or CancelShiftForm(formdata=None),
        attendance_form=AttendanceForm(formdata=None),
        display_name=clinic_portal.display_name,
        words=shifts.ATTENDANCE_WORDS,
        can_mark=shifts.can_mark,
        started=found.starts_at <= utcnow(),
    ), status


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def cancel_shift(shift_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    found = _own_shift(clinic, shift_id)
    form = CancelShiftForm()
    if form.validate_on_submit():
        try:
            shifts.cancel_shift(found, CancelledBy.CLINIC, form.reason.data, current_user)
        except ShiftError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
            flash("The shift is canceled and anyone booked is told.", "success")
            return redirect(url_for("clinics.shifts_page"))
    return _render_shift(found, cancel_form=form, status=FORM_ERROR_STATUS)


@bp.route("/shifts/<int:shift_id>/bookings/<int:booking_id>/attendance", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def mark_attendance(shift_id: int, booking_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    found = _own_shift(clinic, shift_id)
    booking = _own_booking(found, booking_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash("Choose attended, late or no-show.", "error")
        return redirect(url_for("clinics.shift", shift_id=found.id))
    try:
        shifts.mark_attendance(booking, form.outcome.data, current_user)
    except ShiftError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Thank you: attendance is recorded.", "success")
    return redirect(url_for("clinics.shift", shift_id=found.id))

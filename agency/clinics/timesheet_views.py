"""The clinic's timesheets: approve the hours its workers submitted in one click, or dispute
them with a reason. The clinic sees the bill rate and its charge, never what the worker is paid."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from agency.clinics import bp
from agency.clinics.views import my_clinic
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm
from agency.models import Clinic, Role, Timesheet, TimesheetStatus
from agency.security import client_ip, clinic_manager_required, roles_required
from agency.services import clinic_portal, money, timesheets
from agency.services.timesheets import TimesheetError

SHOWS = {
    "waiting": (TimesheetStatus.SUBMITTED,),
    "all": (),
}


class DisputeForm(BaseForm):
    reason = TextAreaField(
        "What is wrong with the hours?",
        validators=[InputRequired(message="Say what is wrong with the hours."), Length(max=1000)],
    )


def _own(clinic: Clinic, timesheet_id: int) -> Timesheet:
    sheet = timesheets.for_clinic(clinic, timesheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _render(
    clinic: Clinic, errors: dict[int, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    show = request.args.get("show", "waiting")
    show = show if show in SHOWS else "waiting"
    return render_template(
        "timesheets/clinic_list.html",
        clinic=clinic,
        show=show,
        sheets=timesheets.of_clinic(clinic, SHOWS[show]),
        when=timesheets.when,
        status_words=timesheets.status_words,
        display_name=clinic_portal.display_name,
        hours=money.hours,
        can_review=timesheets.can_review,
        errors=errors or {},
    ), status


@bp.route("/timesheets")
@roles_required(Role.CLINIC)
def timesheets_page() -> ResponseReturnValue:
    return _render(my_clinic())


@bp.route("/timesheets/<int:timesheet_id>/approve", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def approve_timesheet(timesheet_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    sheet = _own(clinic, timesheet_id)
    form = BaseForm()
    if not form.validate_on_submit():
        return _render(clinic, {sheet.id: "The form expired: please try again."}, 400)
    try:
        timesheets.approve(sheet, current_user, client_ip())
    except TimesheetError as exc:
        db.session.rollback()
        return _render(clinic, {sheet.id: str(exc)}, 409)
    db.session.commit()
    flash(
        f"Approved: {clinic_portal.display_name(sheet.candidate)}, {timesheets.when(sheet)}.",
        "success",
    )
    return redirect(url_for("clinics.timesheets_page"))


@bp.route("/timesheets/<int:timesheet_id>/dispute", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def dispute_timesheet(timesheet_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    sheet = _own(clinic, timesheet_id)
    form = DisputeForm()
    if not form.validate_on_submit():
        message = (form.reason.errors or ["The form expired: please try again."])[0]
        return _render(clinic, {sheet.id: str(message)}, FORM_ERROR_STATUS)
    try:
        timesheets.dispute(sheet, form.reason.data, current_user, client_ip())
    except TimesheetError as exc:
        db.session.rollback()
        return _render(clinic, {sheet.id: str(exc)}, FORM_ERROR_STATUS if exc.field else 409)
    db.session.commit()
    flash("Disputed: the agency will look at the hours and tell you the outcome.", "success")
    return redirect(url_for("clinics.timesheets_page"))

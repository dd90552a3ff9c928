"""The worker's timesheets: the hours of each past shift, submitted for the clinic to approve.
The worker sees the pay rate and the pay for each sheet, never what the clinic is billed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, show_field_error
from agency.models import Candidate, Role, Timesheet
from agency.security import client_ip, roles_required
from agency.services import money, shifts, timesheets
from agency.services.timesheets import TimesheetError
from agency.time_entry import TimeEntryForm


def _own(candidate: Candidate, timesheet_id: int) -> Timesheet:
    sheet = timesheets.for_candidate(candidate, timesheet_id)
    if sheet is None:
        abort(404)
    return sheet


@bp.route("/me/timesheets")
@roles_required(Role.CANDIDATE)
def my_timesheets() -> ResponseReturnValue:
    candidate = my_candidate()
    if timesheets.make_due(candidate_id=candidate.id):
        db.session.commit()
    return render_template(
        "timesheets/candidate_list.html",
        sheets=timesheets.of_candidate(candidate),
        when=timesheets.when,
        status_words=timesheets.status_words,
        hours=money.hours,
    )


@bp.route("/me/timesheets/<int:timesheet_id>", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def my_timesheet(timesheet_id: int) -> ResponseReturnValue:
    sheet = _own(my_candidate(), timesheet_id)
    form = TimeEntryForm()
    status = 200
    if timesheets.can_submit(sheet) and form.validate_on_submit():
        try:
            timesheets.submit(sheet, form.times(), current_user, client_ip())
        except TimesheetError as exc:
            db.session.rollback()
            show_field_error(form, exc)
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash("Your timesheet is sent to the clinic for approval.", "success")
            return redirect(url_for("candidates.my_timesheets"))
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
        if not timesheets.can_submit(sheet):
            form.form_errors.append("This timesheet was already reviewed by the clinic.")
    else:
        form.show(timesheets.local_times(sheet))
    return render_template(
        "timesheets/candidate_sheet.html",
        sheet=sheet,
        form=form,
        when=timesheets.when,
        shift_when=shifts.when(sheet.shift),
        status_words=timesheets.status_words,
        can_submit=timesheets.can_submit(sheet),
    ), status

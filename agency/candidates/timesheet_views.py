"""The worker's timesheets: the hours of each past shift, submitted for the clinic to approve.
The worker sees the pay rate and the pay for each sheet, never what the clinic is billed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import DateField, IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm
from agency.models import Candidate, Role, Timesheet
from agency.security import client_ip, roles_required
from agency.services import money, shifts, timesheets
from agency.services.timesheets import Times, TimesheetError


class TimesheetForm(BaseForm):
    day = DateField("Date you started", validators=[InputRequired(message="Enter the date.")])
    start = TimeField("Started", validators=[InputRequired(message="Enter the start time.")])
    end = TimeField(
        "Finished",
        validators=[InputRequired(message="Enter the time you finished.")],
        description="A time before the start means the next morning.",
    )
    break_minutes = IntegerField(
        "Unpaid break (minutes)",
        default=0,
        validators=[
            InputRequired(message="Enter the break (0 for none)."),
            NumberRange(min=0, max=240, message="Enter 0 to 240 minutes."),
        ],
    )

    def times(self) -> Times:
        return Times(self.day.data, self.start.data, self.end.data, self.break_minutes.data or 0)


def _own(candidate: Candidate, timesheet_id: int) -> Timesheet:
    sheet = timesheets.for_candidate(candidate, timesheet_id)
    if sheet is None:
        abort(404)
    return sheet


@bp.route("/me/timesheets")
@roles_required(Role.CANDIDATE.value)
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
@roles_required(Role.CANDIDATE.value)
def my_timesheet(timesheet_id: int) -> ResponseReturnValue:
    sheet = _own(my_candidate(), timesheet_id)
    form = TimesheetForm()
    status = 200
    if timesheets.can_submit(sheet) and form.validate_on_submit():
        try:
            timesheets.submit(sheet, form.times(), current_user, client_ip())
        except TimesheetError as exc:
            db.session.rollback()
            target = form[exc.field] if exc.field and exc.field in form else None
            if target is None:
                form.form_errors.append(str(exc))
            else:
                target.errors = [*target.errors, str(exc)]
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
        local = timesheets.local_times(sheet)
        form.day.data, form.start.data, form.end.data = local.day, local.start, local.end
        form.break_minutes.data = local.break_minutes
    return render_template(
        "timesheets/candidate_sheet.html",
        sheet=sheet,
        form=form,
        when=timesheets.when,
        shift_when=shifts.when(sheet.shift),
        status_words=timesheets.status_words,
        can_submit=timesheets.can_submit(sheet),
    ), status

"""Staff intake: type in a candidate who phoned in; the person is invited to claim the record."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, show_field_error
from agency.models import STAFF_ROLES
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import intake
from agency.staff import bp
from agency.staff.forms import CandidateIntakeForm


@bp.route("/candidates/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def candidate_intake() -> ResponseReturnValue:
    form = CandidateIntakeForm()
    if not form.validate_on_submit():
        status = FORM_ERROR_STATUS if form.is_submitted() else 200
        return render_template("staff/candidate_intake.html", form=form), status
    entry = intake.CandidateEntry(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        phone=form.phone.data or "",
        zip_code=form.zip_code.data or "",
        desired_roles=[form.desired_role.data] if form.desired_role.data else [],
        years_experience=form.years_experience.data or 0,
    )
    try:
        person = intake.enter_candidate(entry, signed_in_user(), ip=client_ip())
    except intake.IntakeError as exc:
        db.session.rollback()
        show_field_error(form, exc, default="email")
        return render_template("staff/candidate_intake.html", form=form), FORM_ERROR_STATUS
    db.session.commit()
    flash(
        f"{person.full_name} is entered; an invitation to claim the record went to {entry.email}."
        " Until they claim it, the record cannot be submitted to a clinic.",
        "success",
    )
    return redirect(url_for("staff.candidate", candidate_id=person.id))

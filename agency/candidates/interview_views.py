"""The candidate's interviews: times to choose from, booked interviews, and what came of them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import BaseForm
from agency.models import Role
from agency.security import client_ip, roles_required
from agency.services import interviews
from agency.services.clinic_portal import MAX_ID
from agency.services.interviews import SlotGone


class PickForm(BaseForm):
    slot_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


@bp.route("/me/interviews")
@roles_required(Role.CANDIDATE)
def interviews_page() -> ResponseReturnValue:
    candidate = my_candidate()
    mine = interviews.of_candidate(candidate)
    return render_template(
        "candidates/interviews.html",
        interviews=mine,
        local_time=interviews.local_time,
        mode_words=interviews.MODE_WORDS,
        outcome_words=interviews.OUTCOME_WORDS,
        where=interviews.where,
        form=PickForm(formdata=None),
    )


@bp.route("/me/interviews/<int:interview_id>/pick", methods=["POST"])
@roles_required(Role.CANDIDATE)
def pick_interview(interview_id: int) -> ResponseReturnValue:
    interview = interviews.for_candidate(my_candidate(), interview_id)
    if interview is None:
        abort(404)
    form = PickForm()
    if not form.validate_on_submit():
        flash("Choose one of the proposed times.", "error")
        return redirect(url_for("candidates.interviews_page"))
    try:
        interviews.book(interview, form.slot_id.data, current_user, client_ip())
    except SlotGone as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("candidates.interviews_page"))
    db.session.commit()
    flash("Your interview is booked. The calendar invitation is on its way by e-mail.", "success")
    return redirect(url_for("candidates.interviews_page"))

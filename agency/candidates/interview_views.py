"""The candidate's interviews: times to choose from, booked interviews, and what came of them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm
from agency.ids import MAX_ID
from agency.models import Role
from agency.security import client_ip, roles_required
from agency.services import interview_declines, interviews
from agency.services.interviews import InterviewError, SlotGone


class PickForm(BaseForm):
    slot_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class DeclineForm(BaseForm):
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=interview_declines.NOTE_MAX)],
        description="Read by the clinic and your recruiter: say which days or times suit you.",
    )


@bp.route("/me/interviews")
@roles_required(Role.CANDIDATE)
def interviews_page() -> ResponseReturnValue:
    return _page()


def _page(
    decline_form: DeclineForm | None = None, declining: int | None = None, status: int = 200
) -> ResponseReturnValue:
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
        decline_form=decline_form or DeclineForm(formdata=None),
        declining=declining,
    ), status


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


@bp.route("/me/interviews/<int:interview_id>/decline", methods=["POST"])
@roles_required(Role.CANDIDATE)
def decline_interview(interview_id: int) -> ResponseReturnValue:
    interview = interviews.for_candidate(my_candidate(), interview_id)
    if interview is None:
        abort(404)
    form = DeclineForm()
    if not form.validate_on_submit():
        # The page again with the note as typed and the problem next to it.
        return _page(form, interview.id, FORM_ERROR_STATUS)
    try:
        interview_declines.decline(interview, current_user, form.note.data or "", client_ip())
    except InterviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("candidates.interviews_page"))
    db.session.commit()
    flash("Thank you: the clinic and your recruiter will propose new times.", "success")
    return redirect(url_for("candidates.interviews_page"))

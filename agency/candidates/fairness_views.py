"""Fairness pages of the candidate: voluntary self-identification and asking for a human review
instead of the automated ranking."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from agency.candidates import bp
from agency.candidates.forms import (
    HumanReviewForm,
    RemoveSelfIdentificationForm,
    SelfIdentificationForm,
)
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS
from agency.models import Role
from agency.models.self_id import CATEGORIES
from agency.security import client_ip, roles_required
from agency.services import human_review, self_id


@bp.route("/me/self-identification", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def self_identification() -> ResponseReturnValue:
    candidate = my_candidate()
    row = self_id.get(candidate.id)
    form = SelfIdentificationForm(data=row.answers() if row else None)
    if form.validate_on_submit():
        self_id.save(candidate.id, {column: getattr(form, column).data for column in CATEGORIES})
        db.session.commit()
        flash("Your answers are saved. Thank you.", "success")
        return redirect(url_for("candidates.self_identification"))
    return render_template(
        "candidates/self_identification.html",
        form=form,
        remove_form=RemoveSelfIdentificationForm(),
        answered=row is not None,
    ), FORM_ERROR_STATUS


@bp.route("/me/self-identification/remove", methods=["POST"])
@roles_required(Role.CANDIDATE)
def remove_self_identification() -> ResponseReturnValue:
    candidate = my_candidate()
    if RemoveSelfIdentificationForm().validate_on_submit():
        if self_id.remove(candidate.id):
            db.session.commit()
            flash("Your answers are removed.", "success")
    else:
        flash("The form expired. Please try again.", "error")
    return redirect(url_for("candidates.self_identification"))


@bp.route("/me/human-review", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def human_review_page() -> ResponseReturnValue:
    candidate = my_candidate()
    form = HumanReviewForm()
    if form.validate_on_submit():
        try:
            human_review.request_review(candidate, form.message.data or "", ip=client_ip())
        except human_review.ReviewError as exc:
            form.message.errors = [*form.message.errors, str(exc)]
        else:
            db.session.commit()
            flash("Your request is with our staff. You will see its progress here.", "success")
            return redirect(url_for("candidates.human_review_page"))
    requests = human_review.for_candidate(candidate.id)
    return render_template(
        "candidates/human_review.html",
        form=form,
        requests=requests,
        has_open=any(r.is_open for r in requests),
    ), FORM_ERROR_STATUS

"""Applying to an opening, one application with its fit and history, and withdrawing it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from agency.candidates import bp
from agency.candidates.forms import ApplyForm, WithdrawForm
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.models import Application, Opening, OpeningStatus, Role, StageChange
from agency.security import client_ip, roles_required
from agency.services import applications, candidate_pages, pipeline
from agency.services.engine import engine
from agency.services.pipeline import PipelineError


def _public_opening(opening_id: int) -> Opening:
    opening = db.session.execute(
        db.select(Opening).options(joinedload(Opening.clinic)).where(Opening.id == opening_id)
    ).scalar_one_or_none()
    # A draft was never public: it does not exist as far as a candidate can tell.
    if opening is None or opening.status == OpeningStatus.DRAFT:
        abort(404)
    return opening


@bp.route("/me/apply/<int:opening_id>", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def apply(opening_id: int) -> ResponseReturnValue:
    # The form itself shows nothing of the profile; applying scores it (skills, credentials).
    candidate = my_candidate(full=request.method == "POST")
    opening = _public_opening(opening_id)
    # Read once: what the page shows follows from it, and apply() trusts it.
    standing = applications.standing(candidate, opening)
    if standing.existing is not None:
        flash("You have already applied to this opening. Here is where it stands.", "info")
        return redirect(url_for("candidates.application", application_id=standing.existing.id))
    if standing.closed:
        flash(standing.closed, "error")
        return redirect(url_for("candidates.dashboard"))
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            result = applications.apply(
                candidate,
                opening,
                form.note.data or "",
                current_user,
                ip=client_ip(),
                checked=standing,
            )
            db.session.commit()
        except applications.ApplyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("candidates.dashboard"))
        except IntegrityError:
            # Two clicks raced each other: the first one won.
            db.session.rollback()
            flash("You have already applied to this opening.", "info")
            return redirect(url_for("candidates.dashboard"))
        # The application is sent whatever the fit: say so first, then what would help it.
        flash("Your application is sent. The agency will be in touch.", "success")
        tips = result.explanation.failed_constraints or result.explanation.gaps
        if tips:
            flash(f"What would make it stronger: {'; '.join(tips[:3])}.", "info")
        return redirect(url_for("candidates.application", application_id=result.application.id))
    return render_template("candidates/apply.html", form=form, opening=opening)


def _owned_application(application_id: int) -> Application:
    candidate = my_candidate(full=True)
    application = db.session.execute(
        db.select(Application)
        .options(
            joinedload(Application.opening).joinedload(Opening.clinic),
            selectinload(Application.history).joinedload(StageChange.actor),
        )
        .where(
            Application.id == application_id,
            Application.candidate_id == candidate.id,
            pipeline.known_to_candidate(),
        )
    ).scalar_one_or_none()
    if application is None:
        abort(404)
    return application


@bp.route("/me/applications/<int:application_id>")
@roles_required(Role.CANDIDATE)
def application(application_id: int) -> ResponseReturnValue:
    app_row = _owned_application(application_id)
    fit = None
    if app_row.opening.status == OpeningStatus.OPEN:
        fit = engine().explain(app_row.candidate, app_row.opening)
    match = candidate_pages.stored_match(app_row)
    return render_template(
        "candidates/application.html",
        application=app_row,
        fit=fit,
        match=match,
        withdraw_form=WithdrawForm() if applications.can_withdraw(app_row) else None,
    )


@bp.route("/me/applications/<int:application_id>/withdraw", methods=["POST"])
@roles_required(Role.CANDIDATE)
def withdraw(application_id: int) -> ResponseReturnValue:
    app_row = _owned_application(application_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            applications.withdraw(app_row, current_user, form.reason.data, ip=client_ip())
        except PipelineError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("candidates.application", application_id=application_id))
        db.session.commit()
        flash("Your application is withdrawn.", "success")
        return redirect(url_for("candidates.dashboard"))
    fit = None
    if app_row.opening.status == OpeningStatus.OPEN:
        fit = engine().explain(app_row.candidate, app_row.opening)
    return render_template(
        "candidates/application.html",
        application=app_row,
        fit=fit,
        match=None,
        withdraw_form=form,
    ), 200

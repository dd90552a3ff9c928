"""The pipeline: applications by stage, one application's full history, and moving it on."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices
from agency.models import (
    Application,
    Candidate,
    Credential,
    Note,
    Opening,
    OpeningCredential,
    Stage,
    StageChange,
)
from agency.security import client_ip, roles_required
from agency.services import notes, pipeline
from agency.staff import bp
from agency.staff.common import STAFF_ROLES, me, page_arg
from agency.staff.forms import MoveForm, NoteForm

MAX_ID = 2**31 - 1


def _application_or_404(application_id: int) -> Application:
    if application_id > MAX_ID:
        abort(404)
    application = (
        db.session.execute(
            select(Application)
            .options(
                joinedload(Application.candidate)
                .selectinload(Candidate.credentials)
                .joinedload(Credential.credential_type),
                joinedload(Application.opening).joinedload(Opening.clinic),
                joinedload(Application.opening)
                .selectinload(Opening.credentials)
                .joinedload(OpeningCredential.credential_type),
                selectinload(Application.history).joinedload(StageChange.actor),
            )
            .where(Application.id == application_id)
        )
        .unique()
        .scalar_one_or_none()
    )
    if application is None:
        abort(404)
    return application


def _move_form(application: Application) -> MoveForm:
    form = MoveForm()
    moves = pipeline.allowed_moves(application, me().role)
    form.to_stage.choices = choices([(m, m.capitalize()) for m in moves])
    return form


def _render(application: Application, form: MoveForm, note_form: NoteForm, status: int = 200):  # type: ignore[no-untyped-def]
    app_notes = list(
        db.session.execute(
            select(Note)
            .options(joinedload(Note.author))
            .where(Note.application_id == application.id)
            .order_by(Note.created_at.desc())
        ).scalars()
    )
    problems = (
        pipeline.placement_problems(application.candidate, application.opening)
        if Stage.PLACED.value in pipeline.allowed_moves(application, me().role)
        else []
    )
    return (
        render_template(
            "staff/application.html",
            application=application,
            form=form,
            note_form=note_form,
            notes=app_notes,
            placement_problems=problems,
        ),
        status,
    )


@bp.route("/applications/<int:application_id>")
@roles_required(*STAFF_ROLES)
def application(application_id: int) -> ResponseReturnValue:
    app_ = _application_or_404(application_id)
    return _render(app_, _move_form(app_), NoteForm(formdata=None))


@bp.route("/applications/<int:application_id>/move", methods=["POST"])
@roles_required(*STAFF_ROLES)
def application_move(application_id: int) -> ResponseReturnValue:
    app_ = _application_or_404(application_id)
    form = _move_form(app_)
    if not form.validate_on_submit():
        return _render(app_, form, NoteForm(formdata=None), FORM_ERROR_STATUS)
    try:
        pipeline.move(app_, form.to_stage.data, me(), form.reason.data or "", client_ip())
    except pipeline.PipelineError as exc:
        db.session.rollback()
        form.to_stage.errors = [str(exc)]
        app_ = _application_or_404(application_id)
        return _render(app_, form, NoteForm(formdata=None), FORM_ERROR_STATUS)
    db.session.commit()
    flash(f"Moved to {form.to_stage.data}.", "success")
    return redirect(url_for("staff.application", application_id=application_id))


@bp.route("/applications/<int:application_id>/notes", methods=["POST"])
@roles_required(*STAFF_ROLES)
def application_note(application_id: int) -> ResponseReturnValue:
    app_ = _application_or_404(application_id)
    note_form = NoteForm()
    if not note_form.validate_on_submit():
        return _render(app_, _move_form(app_), note_form, FORM_ERROR_STATUS)
    notes.add(me(), note_form.body.data, application=app_, ip=client_ip())
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for("staff.application", application_id=application_id))


@bp.route("/pipeline", endpoint="pipeline")
@roles_required(*STAFF_ROLES)
def pipeline_board() -> ResponseReturnValue:
    stage = request.args.get("stage", "")
    if stage and stage not in Stage.values():
        abort(404)
    counts = dict(
        db.session.execute(
            select(Application.stage, func.count(Application.id)).group_by(Application.stage)
        ).all()
    )
    query = (
        select(Application)
        .options(
            joinedload(Application.candidate),
            joinedload(Application.opening).joinedload(Opening.clinic),
        )
        .order_by(Application.updated_at.desc(), Application.id.desc())
    )
    if stage:
        query = query.where(Application.stage == stage)
    page = db.paginate(query, page=page_arg(), per_page=30, error_out=False)
    return render_template(
        "staff/pipeline.html", page=page, counts=counts, stage=stage, stages=Stage.values()
    )

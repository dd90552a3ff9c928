"""The pipeline: applications by stage, one application's full history, and moving it on."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, page_arg
from agency.models import (
    STAFF_ROLES,
    Application,
    Audience,
    Candidate,
    Credential,
    Opening,
    OpeningCredential,
    Stage,
    StageChange,
    VerificationStatus,
)
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, interviews, notes, pipeline
from agency.services.staff_queries import lists as list_queries
from agency.staff import bp
from agency.staff.forms import ApplicationNoteForm as NoteForm
from agency.staff.forms import MoveForm, VerifyForm

# Who reads a reason or a note (staff read everything).
AUDIENCE_WORDS = {
    Audience.STAFF: "staff only",
    Audience.CLINIC: "read by the clinic",
    Audience.CANDIDATE: "read by the candidate",
}


def _application_or_404(application_id: int) -> Application:
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
    moves = pipeline.allowed_moves(application, signed_in_user().role)
    form.to_stage.choices = choices([(m, m.capitalize()) for m in moves])
    if Stage.SUBMITTED not in moves:
        del form.clinic_note
    return form


def _render(application: Application, form: MoveForm, note_form: NoteForm, status: int = 200):
    if "confirm_ineligible" in form and not form.confirm_ineligible.errors:
        # The confirmation box appears with the engine's warning, not before.
        del form.confirm_ineligible
    app_notes = list_queries.application_notes(application.id)
    its = interviews.of_applications([application.id])[application.id]
    can_place = Stage.PLACED in pipeline.allowed_moves(application, signed_in_user().role)
    problems = (
        pipeline.placement_problems(application.candidate, application.opening) if can_place else []
    )
    return (
        render_template(
            "staff/application.html",
            application=application,
            form=form,
            note_form=note_form,
            notes=app_notes,
            placement_problems=problems,
            audience_words=AUDIENCE_WORDS,
            # Where the gate stops a placement for want of a check, staff can make it here.
            to_verify=_awaiting_verification(application) if problems else [],
            verify_form=VerifyForm(formdata=None),
            erased_message=pipeline.ERASED,
            interviews=its,
            can_propose=interviews.proposable(application, its),
            local_time=interviews.local_time,
        ),
        status,
    )


def _awaiting_verification(application: Application) -> list[Credential]:
    required = {oc.credential_type.code for oc in application.opening.credentials}
    return [
        cred
        for cred in application.candidate.credentials
        if cred.credential_type.code in required
        and cred.verification_status == VerificationStatus.PENDING
    ]


@bp.route("/applications/<int:application_id>")
@roles_required(*STAFF_ROLES)
def application(application_id: int) -> ResponseReturnValue:
    app_ = _application_or_404(application_id)
    audit.record_views(
        [app_.candidate_id],
        actor_id=signed_in_user().id,
        page="application",
        ip=client_ip(),
        details={"application_id": app_.id},
    )
    # Render before the commit: committing expires the loaded rows (one query each again).
    response = _render(app_, _move_form(app_), NoteForm(formdata=None))
    db.session.commit()
    return response


@bp.route("/applications/<int:application_id>/move", methods=["POST"])
@roles_required(*STAFF_ROLES)
def application_move(application_id: int) -> ResponseReturnValue:
    app_ = _application_or_404(application_id)
    form = _move_form(app_)
    if pipeline.is_erased(app_.candidate):
        # No choice is offered, so say why rather than "not a valid choice".
        form.to_stage.errors = [pipeline.ERASED]
        return _render(app_, form, NoteForm(formdata=None), FORM_ERROR_STATUS)
    if not form.validate_on_submit():
        return _render(app_, form, NoteForm(formdata=None), FORM_ERROR_STATUS)
    try:
        pipeline.move(
            app_,
            form.to_stage.data,
            signed_in_user(),
            form.reason.data or "",
            client_ip(),
            candidate_message=form.candidate_message.data or "",
            clinic_note=form.clinic_note.data or "" if "clinic_note" in form else "",
            confirm_ineligible=bool(form.confirm_ineligible.data),
        )
    except pipeline.NotEligible as exc:
        db.session.rollback()
        form.confirm_ineligible.errors = [str(exc)]
        app_ = _application_or_404(application_id)
        return _render(app_, form, NoteForm(formdata=None), FORM_ERROR_STATUS)
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
    notes.add(
        signed_in_user(),
        note_form.body.data,
        application=app_,
        audience=note_form.audience.data,
        ip=client_ip(),
    )
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for("staff.application", application_id=application_id))


@bp.route("/pipeline", endpoint="pipeline")
@roles_required(*STAFF_ROLES)
def pipeline_board() -> ResponseReturnValue:
    stage = request.args.get("stage", "")
    if stage and stage not in Stage.values():
        abort(404)
    counts = list_queries.stage_counts()
    page = list_queries.pipeline_page(stage, page_arg())
    audit.record_views(
        (a.candidate_id for a in page.items),
        actor_id=signed_in_user().id,
        page="pipeline",
        ip=client_ip(),
    )
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "staff/pipeline.html", page=page, counts=counts, stage=stage, stages=Stage.values()
    )
    db.session.commit()
    return html

"""The pipeline for staff: applications and stage moves, through services.pipeline."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agency.api import auth, pagination
from agency.api.blueprints import applications_bp as blp
from agency.api.errors import abort
from agency.api.etags import etag_of
from agency.api.schemas import ApplicationArgs, ApplicationSchema, MoveSchema, page_of
from agency.extensions import db
from agency.models import Application, User
from agency.models.candidates import profile_loaded
from agency.models.openings import requirements_loaded
from agency.services import api_lists, pipeline
from agency.services.pipeline import PipelineError

ApplicationPage = page_of(ApplicationSchema)


def application_out(application: Application, role: str) -> dict[str, Any]:
    return {
        "id": application.id,
        "candidate_id": application.candidate_id,
        "opening_id": application.opening_id,
        "source": application.source,
        "stage": application.stage,
        "stage_reason": application.stage_reason or "",
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "allowed_moves": pipeline.allowed_moves(application, role),
        "history": [
            {
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "reason": c.reason or "",
                "actor_id": c.actor_id,
                "created_at": c.created_at,
            }
            for c in application.history
        ],
    }


def _load(application_id: int) -> Application:
    found = None
    if application_id > 0:
        found = db.session.execute(
            select(Application)
            .options(
                selectinload(Application.history),
                selectinload(Application.candidate).options(*profile_loaded()),
                selectinload(Application.opening).options(*requirements_loaded()),
            )
            .where(Application.id == application_id)
        ).scalar_one_or_none()
    if found is None:
        abort(404, message="No such application.")
    return found


def move_or_409(application: Application, data: dict[str, Any], user: User) -> None:
    """One stage move through services.pipeline, committed; a refused move is a 409 problem
    naming the field at fault (the staff move and the clinic's feedback share it)."""
    try:
        pipeline.move(
            application, data["to_stage"], user, data.get("reason", ""), request.remote_addr or ""
        )
    except PipelineError as exc:
        db.session.rollback()
        field = "reason" if "reason" in str(exc) else "to_stage"
        abort(409, message=str(exc), errors={"json": {field: [str(exc)]}})
    db.session.commit()


@blp.route("/applications", methods=["GET"], endpoint="list")
@auth.roles(*auth.STAFF)
@blp.etag
@blp.arguments(ApplicationArgs, location="query", as_kwargs=True)
@blp.response(200, ApplicationPage)
def list_applications(cursor: str | None, limit: int, **filters: Any) -> Any:
    """Applications, newest first, filtered by opening, candidate or stage."""
    user = auth.require_user()
    rows = api_lists.applications(
        pagination.decode(cursor),
        limit,
        **{name: filters.get(name) for name in ("opening_id", "candidate_id", "stage")},
    )
    items, next_cursor = pagination.result(rows, limit, lambda a: a.id)
    return {"items": [application_out(a, user.role) for a in items], "next_cursor": next_cursor}


@blp.route("/applications/<int:application_id>", methods=["GET"], endpoint="get")
@auth.roles(*auth.STAFF)
@blp.etag
@blp.response(200, ApplicationSchema)
def get_application(application_id: int) -> Any:
    return application_out(_load(application_id), auth.require_user().role)


@blp.route("/applications/<int:application_id>/moves", methods=["POST"], endpoint="move")
@auth.roles(*auth.STAFF, write=True)
@blp.arguments(MoveSchema)
@blp.response(200, ApplicationSchema)
def move_application(data: dict[str, Any], application_id: int) -> Any:
    """Move the application to another stage (the move the staff pipeline page makes). Send the
    application's ETag as `If-Match` to make sure nobody moved it since you read it."""
    user = auth.require_user()
    application = _load(application_id)
    current = etag_of(application_out(application, user.role), ApplicationSchema)
    if request.if_match and current not in request.if_match:
        abort(412, message="The application changed since you read it; read it again.")
    move_or_409(application, data, user)
    return application_out(_load(application_id), user.role)

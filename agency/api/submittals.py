"""Submittals: the candidates the agency submitted to the token's clinic, with exactly what the
clinic portal shows (services.clinic_portal), and the clinic's feedback (services.pipeline)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import request

from agency.api import auth, pagination
from agency.api.applications import move_or_409
from agency.api.blueprints import submittals_bp as blp
from agency.api.errors import abort
from agency.api.schemas import FeedbackSchema, SubmittalArgs, SubmittalSchema, page_of
from agency.extensions import db
from agency.models import Application, Note, Role, User
from agency.services import clinic_portal, pipeline

SubmittalPage = page_of(SubmittalSchema)


def submittal_out(application: Application, notes: list[Note], user: User) -> dict[str, Any]:
    profile = clinic_portal.shared_profile(application.candidate)
    return {
        "id": application.id,
        "opening_id": application.opening_id,
        "stage": application.stage,
        "submitted_at": clinic_portal.submitted_at(application),
        "updated_at": application.updated_at,
        "candidate": {
            "display_name": profile.display_name,
            "shared": profile.shared,
            "years_experience": profile.years_experience,
            "typing_wpm": profile.typing_wpm,
            "skills": [{"category": c, "name": n, "level": lvl} for c, n, lvl in profile.skills],
            "ehr": profile.ehr,
            "languages": profile.languages,
            "credentials": [asdict(c) for c in profile.credentials],
            "availability_mask": profile.availability_mask,
        },
        "status": asdict(clinic_portal.clinic_stage(application)),
        "agency_notes": [{"body": n.body, "created_at": n.created_at} for n in notes],
        "allowed_feedback": pipeline.allowed_moves(application, user.role),
    }


@blp.route("/submittals", methods=["GET"], endpoint="list")
@auth.roles(Role.CLINIC)
@blp.arguments(SubmittalArgs, location="query", as_kwargs=True)
@blp.response(200, SubmittalPage)
def list_submittals(cursor: str | None, limit: int, opening_id: int | None = None) -> Any:
    """Candidates submitted to the clinic's openings (or to one), most recent first."""
    user = auth.require_user()
    clinic = auth.my_clinic(user)
    if opening_id is not None:
        if clinic_portal.opening_for(clinic, opening_id) is None:
            abort(404, message="No such opening.")
        opening_ids = [opening_id]
    else:
        opening_ids = clinic_portal.opening_ids(clinic)
    # Which applications the clinic may see is decided by clinic_portal alone; the cursor only
    # picks the page among them.
    shown = [a for apps in clinic_portal.submitted_for(clinic, opening_ids).values() for a in apps]
    after = pagination.decode(cursor)
    shown = sorted(
        (a for a in shown if after is None or a.id < after), key=lambda a: a.id, reverse=True
    )
    items, next_cursor = pagination.result(shown, limit, lambda a: a.id)
    notes = clinic_portal.submittal_notes(items)
    body = {
        "items": [submittal_out(a, notes[a.id], user) for a in items],
        "next_cursor": next_cursor,
    }
    clinic_portal.record_views(user, items, request.remote_addr or "", "api")
    db.session.commit()
    return body


@blp.route("/submittals/<int:application_id>", methods=["GET"], endpoint="get")
@auth.roles(Role.CLINIC)
@blp.etag
@blp.response(200, SubmittalSchema)
def get_submittal(application_id: int) -> Any:
    """One submitted candidate (404 for another clinic's or one never submitted)."""
    user = auth.require_user()
    application = clinic_portal.application_for(auth.my_clinic(user), application_id)
    if application is None:
        abort(404, message="No such submittal.")
    notes = clinic_portal.submittal_notes([application])
    body = submittal_out(application, notes[application.id], user)
    clinic_portal.record_views(user, [application], request.remote_addr or "", "api")
    db.session.commit()
    return body


@blp.route("/submittals/<int:application_id>/feedback", methods=["POST"], endpoint="feedback")
@auth.roles(Role.CLINIC, write=True)
@blp.arguments(FeedbackSchema)
@blp.response(200, SubmittalSchema)
def record_feedback(data: dict[str, Any], application_id: int) -> Any:
    """Invite to interview, make an offer, or decline (with a reason) a submitted candidate."""
    user = auth.require_user()
    clinic = auth.my_clinic(user)
    application = clinic_portal.application_for(clinic, application_id)
    if application is None:
        abort(404, message="No such submittal.")
    move_or_409(application, data, user)
    application = clinic_portal.application_for(clinic, application_id)
    assert application is not None
    return submittal_out(
        application, clinic_portal.submittal_notes([application])[application.id], user
    )

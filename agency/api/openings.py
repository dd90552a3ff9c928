"""Openings: anyone reads open ones; a clinic creates and edits its own (services.openings)."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import request

from agency.api import auth, pagination
from agency.api.blueprints import openings_bp as blp
from agency.api.errors import abort
from agency.api.schemas import (
    OpeningFilterArgs,
    OpeningInputSchema,
    OpeningPatchSchema,
    OpeningSchema,
    StatusActionSchema,
    page_of,
)
from agency.extensions import db
from agency.models import Clinic, Opening, Role, User
from agency.services import api_lists, clinic_portal, jobboard, openings
from agency.services.openings import OpeningDraft, OpeningError

OpeningPage = page_of(OpeningSchema)


def opening_out(opening: Opening) -> dict[str, Any]:
    clinic = opening.clinic
    return {
        "id": opening.id,
        "title": opening.title,
        "role_type": opening.role_type,
        "description": opening.description or "",
        "employment_type": opening.employment_type,
        "status": opening.status,
        "positions": opening.positions,
        "shift_mask": opening.shift_mask or 0,
        "start_date": opening.start_date,
        "end_date": opening.end_date,
        "pay_min": opening.pay_min,
        "pay_max": opening.pay_max,
        "min_typing_wpm": opening.min_typing_wpm,
        "ehr_systems": list(opening.ehr_systems or []),
        "languages": list(opening.languages or []),
        "skills": [
            {"code": s.skill.code, "min_level": s.min_level, "weight": float(s.weight)}
            for s in sorted(opening.skills, key=lambda s: s.skill.code)
        ],
        "credentials": sorted(c.credential_type.code for c in opening.credentials),
        "clinic": {
            "id": clinic.id,
            "name": clinic.name,
            "city": clinic.city or "",
            "state": clinic.state or "",
            "zip_code": clinic.zip_code or "",
        },
        "posted_at": opening.posted_at,
        "updated_at": opening.updated_at,
    }


def _raise_opening_error(exc: OpeningError) -> NoReturn:
    db.session.rollback()
    field = {"schedule": "shift_mask"}.get(exc.field or "", exc.field)
    errors = {"json": {field: [str(exc)]}} if field else None
    abort(422, message=str(exc), errors=errors)


def _draft(data: dict[str, Any], base: OpeningDraft) -> OpeningDraft:
    for name in (
        "title",
        "role_type",
        "description",
        "employment_type",
        "positions",
        "shift_mask",
        "start_date",
        "end_date",
        "pay_min",
        "pay_max",
        "min_typing_wpm",
        "ehr_systems",
        "languages",
        "credentials",
    ):
        if name in data:
            setattr(base, name, data[name])
    if "skills" in data:
        base.skills = {s["code"]: (s["min_level"], s["weight"]) for s in data["skills"]}
    return base


def _approved(user: User) -> Clinic:
    clinic = auth.my_clinic(user)
    if not clinic.approved:
        abort(403, message="Your clinic is waiting for approval; you can post once it is approved.")
    return clinic


@blp.route("/openings", methods=["GET"], endpoint="list")
@auth.public
@blp.etag
@blp.arguments(OpeningFilterArgs, location="query", as_kwargs=True)
@blp.response(200, OpeningPage)
def list_openings(
    cursor: str | None, limit: int, mine: bool = False, **filters: str
) -> dict[str, Any]:
    """Open openings, newest first (`mine=true`: a clinic's own, in every status)."""
    clinic_id = None
    if mine:
        user = auth.require_user()
        if user.role != Role.CLINIC:
            abort(403, message="Only a clinic has openings of its own.")
        clinic_id = auth.my_clinic(user).id
    rows = api_lists.openings(
        pagination.decode(cursor),
        limit,
        clinic_id=clinic_id,
        role_type=filters.get("role_type") or None,
        employment_type=filters.get("employment_type") or None,
    )
    items, next_cursor = pagination.result(rows, limit, lambda o: o.id)
    return {"items": [opening_out(o) for o in items], "next_cursor": next_cursor}


@blp.route("/openings/<int:opening_id>", methods=["GET"], endpoint="get")
@auth.public
@blp.etag
@blp.response(200, OpeningSchema)
def get_opening(opening_id: int) -> dict[str, Any]:
    """One opening: open ones for anyone; drafts and closed ones for their clinic and staff."""
    found = jobboard.public_opening(opening_id, auth.caller())
    if found is None:
        abort(404, message="No such opening.")
    return opening_out(found)


@blp.route("/openings", methods=["POST"], endpoint="create")
@auth.roles(Role.CLINIC, write=True)
@blp.arguments(OpeningInputSchema)
@blp.response(201, OpeningSchema)
def create_opening(data: dict[str, Any]) -> Any:
    """Post an opening for the token's clinic (published unless `publish` is false)."""
    user = auth.require_user()
    clinic = _approved(user)
    publish = data.pop("publish", True)
    try:
        opening = openings.save(
            clinic, _draft(data, OpeningDraft()), user, publish=publish, ip=_ip()
        )
    except OpeningError as exc:
        _raise_opening_error(exc)
    db.session.commit()
    saved = clinic_portal.opening_for(clinic, opening.id)
    if saved is None:  # just committed by this clinic: cannot happen
        abort(500, message="The opening was saved but cannot be read back.")
    return opening_out(saved), 201, {"Location": f"/api/v1/openings/{opening.id}"}


@blp.route("/openings/<int:opening_id>", methods=["PATCH"], endpoint="update")
@auth.roles(Role.CLINIC, write=True)
@blp.etag
@blp.arguments(OpeningPatchSchema)
@blp.response(200, OpeningSchema)
def update_opening(data: dict[str, Any], opening_id: int) -> dict[str, Any]:
    """Change some fields of the clinic's own opening; send the ETag you read as `If-Match`."""
    user = auth.require_user()
    clinic = _approved(user)
    found = clinic_portal.opening_for(clinic, opening_id)
    if found is None:
        abort(404, message="No such opening.")
    blp.check_etag(opening_out(found), OpeningSchema)
    publish = data.pop("publish", False)
    try:
        openings.save(
            clinic,
            _draft(data, openings.draft_from_opening(found)),
            user,
            found,
            publish=publish,
            ip=_ip(),
        )
    except OpeningError as exc:
        _raise_opening_error(exc)
    db.session.commit()
    return opening_out(clinic_portal.opening_for(clinic, opening_id))  # type: ignore[arg-type]


@blp.route("/openings/<int:opening_id>/status", methods=["POST"], endpoint="status")
@auth.roles(Role.CLINIC, write=True)
@blp.arguments(StatusActionSchema)
@blp.response(200, OpeningSchema)
def change_status(data: dict[str, Any], opening_id: int) -> dict[str, Any]:
    """Publish, hold, close or reopen the clinic's own opening."""
    user = auth.require_user()
    clinic = _approved(user)
    found = clinic_portal.opening_for(clinic, opening_id)
    if found is None:
        abort(404, message="No such opening.")
    try:
        openings.change_status(found, data["action"], user, _ip())
    except OpeningError as exc:
        db.session.rollback()
        abort(409, message=str(exc))
    db.session.commit()
    return opening_out(clinic_portal.opening_for(clinic, opening_id))  # type: ignore[arg-type]


def _ip() -> str:
    return request.remote_addr or ""

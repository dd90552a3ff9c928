"""Candidate profiles: staff read any; a candidate reads their own (404 for anybody else's)."""

from __future__ import annotations

from typing import Any

from agency.api import auth, pagination
from agency.api.blueprints import candidates_bp as blp
from agency.api.errors import abort
from agency.api.schemas import CandidateArgs, CandidateSchema, page_of
from agency.models import Candidate, Role
from agency.services import api_lists
from agency.services.staff_queries import timelines as timeline_queries

CandidatePage = page_of(CandidateSchema)


def candidate_out(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.user.email if candidate.user else None,
        "phone": candidate.phone or "",
        "zip_code": candidate.zip_code or "",
        "status": candidate.status,
        "desired_roles": list(candidate.desired_roles or []),
        "min_pay": candidate.min_pay,
        "years_experience": candidate.years_experience,
        "typing_wpm": candidate.typing_wpm,
        "availability_mask": candidate.availability_mask or 0,
        "commute_miles": candidate.commute_miles,
        "languages": list(candidate.languages or []),
        "ehr_systems": list(candidate.ehr_systems or []),
        "skills": {s.skill.code: s.level for s in candidate.skills},
        "credentials": [
            {
                "code": c.credential_type.code,
                "name": c.credential_type.name,
                "verification_status": c.verification_status,
                "expires_on": c.expires_on,
            }
            for c in sorted(candidate.credentials, key=lambda c: c.credential_type.code)
        ],
        "updated_at": candidate.updated_at,
    }


@blp.route("/candidates", methods=["GET"], endpoint="list")
@auth.roles(*auth.STAFF)
@blp.etag
@blp.arguments(CandidateArgs, location="query", as_kwargs=True)
@blp.response(200, CandidatePage)
def list_candidates(cursor: str | None, limit: int) -> Any:
    """Every candidate, newest first."""
    rows = api_lists.candidates(pagination.decode(cursor), limit)
    items, next_cursor = pagination.result(rows, limit, lambda c: c.id)
    return {"items": [candidate_out(c) for c in items], "next_cursor": next_cursor}


@blp.route("/candidates/<int:candidate_id>", methods=["GET"], endpoint="get")
@auth.roles(*auth.STAFF, Role.CANDIDATE)
@blp.etag
@blp.response(200, CandidateSchema)
def get_candidate(candidate_id: int) -> Any:
    """One candidate's profile (a candidate token reads only its own)."""
    user = auth.require_user()
    found = timeline_queries.load_candidate(candidate_id)
    if found is None or (not user.is_staff and found.user_id != user.id):
        abort(404, message="No such candidate.")
    return candidate_out(found)

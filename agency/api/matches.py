"""The engine's ranked candidates for an opening, for staff: the rows of the staff review page
(services.staff_queries.review.opening_review), each with its score's breakdown."""

from __future__ import annotations

import math
from typing import Any

from agency.api import auth
from agency.api.blueprints import matches_bp as blp
from agency.api.errors import abort
from agency.api.schemas import MatchArgs, MatchListSchema
from agency.services.staff_queries import review as review_queries


def _numbers(values: dict[str, Any]) -> dict[str, float | None]:
    # NaN marks a component that does not apply; JSON has no NaN.
    out: dict[str, float | None] = {}
    for key, value in values.items():
        number = float(value) if value is not None else math.nan
        out[key] = None if math.isnan(number) else round(number, 4)
    return out


def match_out(row: review_queries.ReviewRow) -> dict[str, Any]:
    expl = row.explanation
    return {
        "rank": row.rank,
        "candidate_id": row.candidate.id,
        "name": row.candidate.full_name,
        "score": float(row.score),
        "eligible": bool(row.eligible),
        "miles": round(row.miles, 1) if row.miles is not None else None,
        "application_id": row.application.id if row.application else None,
        "stage": row.application.stage if row.application else None,
        "failed_constraints": list(getattr(expl, "failed_constraints", []) or []),
        "components": _numbers(dict(getattr(expl, "components", {}) or {})),
        "contributions": _numbers(dict(getattr(expl, "contributions", {}) or {})),
        "strengths": list(getattr(expl, "strengths", []) or []),
        "gaps": list(getattr(expl, "gaps", []) or []),
        "summary": str(getattr(expl, "summary", "") or ""),
    }


@blp.route("/openings/<int:opening_id>/matches", methods=["GET"], endpoint="list")
@auth.roles(*auth.STAFF)
@blp.etag
@blp.arguments(MatchArgs, location="query", as_kwargs=True)
@blp.response(200, MatchListSchema)
def list_matches(opening_id: int, k: int, eligible_only: bool) -> Any:
    """The top k candidates for the opening with every applicant, as the review page ranks them."""
    opening = review_queries.load_opening(opening_id)
    if opening is None:
        abort(404, message="No such opening.")
    rows, total = review_queries.opening_review(
        opening, k, review_queries.ReviewFilters(eligible_only=eligible_only)
    )
    return {"items": [match_out(r) for r in rows], "total": total}

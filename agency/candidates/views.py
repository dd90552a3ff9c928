"""The candidate's dashboard: progress, applications with their history, openings that fit."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from agency.candidates import bp
from agency.candidates.helpers import STEP_ENDPOINTS, my_candidate
from agency.extensions import db
from agency.models import Application, Match, Opening, Role
from agency.security import roles_required
from agency.services import applications as application_service
from agency.services import interviews, pipeline, profiles, scoring

__all__ = ["dashboard", "my_candidate"]

APPLICATIONS_PER_PAGE = 10
FITTING_OPENINGS = 5
MAX_ID = 2**31 - 1


@bp.url_value_preprocessor
def _bounded_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Ids beyond a database integer cannot exist; refusing them here avoids an overflow error.
    for key, value in (values or {}).items():
        if key.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
            abort(404)


@bp.context_processor
def _candidate_context() -> dict[str, object]:
    return {"step_endpoints": STEP_ENDPOINTS}


@bp.route("/me")
@roles_required(Role.CANDIDATE.value)
def dashboard() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    page = db.paginate(
        db.select(Application)
        .options(
            joinedload(Application.opening).joinedload(Opening.clinic),
            selectinload(Application.history),
        )
        .where(Application.candidate_id == candidate.id, pipeline.known_to_candidate())
        .order_by(Application.created_at.desc(), Application.id.desc()),
        # Clamped: a huge ?page= would overflow the database's OFFSET (a 500).
        page=min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000),
        per_page=APPLICATIONS_PER_PAGE,
        error_out=False,
    )
    shown_ids = [a.opening_id for a in page.items]
    matches = {
        m.opening_id: m
        for m in db.session.execute(
            db.select(Match).where(
                Match.candidate_id == candidate.id, Match.opening_id.in_(shown_ids)
            )
        ).scalars()
    }
    applied_ids = set(
        db.session.execute(
            db.select(Application.opening_id).where(
                Application.candidate_id == candidate.id, pipeline.known_to_candidate()
            )
        ).scalars()
    )
    fits = [
        m
        for m in scoring.openings_for(candidate, k=FITTING_OPENINGS + len(applied_ids))
        if m.opening_id not in applied_ids
    ][:FITTING_OPENINGS]
    openings = {
        o.id: o
        for o in db.session.execute(
            db.select(Opening)
            .options(joinedload(Opening.clinic))
            .where(Opening.id.in_([m.opening_id for m in fits]))
        ).scalars()
    }
    alerts = [
        (c, e)
        for c in candidate.credentials
        if (e := profiles.expiry(c)).state in ("expired", "expiring")
    ]
    return render_template(
        "candidates/dashboard.html",
        candidate=candidate,
        progress=profiles.completeness(candidate),
        page=page,
        matches=matches,
        fits=[(m, openings[m.opening_id]) for m in fits if m.opening_id in openings],
        alerts=alerts,
        can_withdraw=application_service.can_withdraw,
        interviews=[i for i in interviews.of_candidate(candidate) if i.is_active],
        local_time=interviews.local_time,
    )

"""Home, the job board and the public view of an opening."""

from __future__ import annotations

from flask import jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import Opening, OpeningStatus
from agency.public import bp
from agency.security import public
from agency.services import health


@bp.route("/")
@public
def home() -> ResponseReturnValue:
    latest = (
        db.session.execute(
            db.select(Opening)
            .options(joinedload(Opening.clinic))
            .where(Opening.status == OpeningStatus.OPEN.value)
            .order_by(Opening.created_at.desc())
            .limit(6)
        )
        .scalars()
        .all()
    )
    return render_template("public/home.html", latest_openings=latest)


@bp.route("/jobs")
@public
def jobs() -> ResponseReturnValue:
    query = (
        db.select(Opening)
        .options(joinedload(Opening.clinic))
        .where(Opening.status == OpeningStatus.OPEN.value)
        .order_by(Opening.created_at.desc(), Opening.id.desc())
    )
    page = db.paginate(query, per_page=20, max_per_page=50, error_out=False)
    return render_template("public/jobs.html", page=page)


@bp.route("/jobs/<int:opening_id>")
@public
def job_detail(opening_id: int) -> ResponseReturnValue:
    opening = db.get_or_404(Opening, opening_id)
    if opening.status != OpeningStatus.OPEN.value:
        # Drafts and closed openings are not public.
        return render_template("errors/404.html"), 404
    return render_template("public/job_detail.html", opening=opening)


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    result = health.report()
    return jsonify(result), 200 if result["database"]["ok"] else 503

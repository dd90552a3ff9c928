"""The candidate's dashboard."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload

from agency.candidates import bp
from agency.extensions import db
from agency.models import Application, Candidate, Opening, Role
from agency.security import roles_required


def my_candidate() -> Candidate:
    candidate = db.session.execute(
        db.select(Candidate).where(Candidate.user_id == current_user.id)
    ).scalar_one_or_none()
    if candidate is None:
        abort(404)
    return candidate


@bp.route("/me")
@roles_required(Role.CANDIDATE.value)
def dashboard() -> ResponseReturnValue:
    candidate = my_candidate()
    applications = (
        db.session.execute(
            db.select(Application)
            .options(joinedload(Application.opening).joinedload(Opening.clinic))
            .where(Application.candidate_id == candidate.id)
            .order_by(Application.created_at.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "candidates/dashboard.html", candidate=candidate, applications=applications
    )

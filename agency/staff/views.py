"""The staff dashboard."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func

from agency.extensions import db
from agency.models import Application, Candidate, Clinic, Opening, OpeningStatus, Role
from agency.security import roles_required
from agency.staff import bp

STAFF_ROLES = (Role.STAFF.value, Role.ADMIN.value)


@bp.route("/")
@roles_required(*STAFF_ROLES)
def dashboard() -> ResponseReturnValue:
    counts = {
        "open_openings": db.session.scalar(
            db.select(func.count(Opening.id)).where(Opening.status == OpeningStatus.OPEN.value)
        ),
        "candidates": db.session.scalar(db.select(func.count(Candidate.id))),
        "applications": db.session.scalar(db.select(func.count(Application.id))),
        "clinics_pending": db.session.scalar(
            db.select(func.count(Clinic.id)).where(Clinic.approved.is_(False))
        ),
    }
    return render_template("staff/dashboard.html", counts=counts)

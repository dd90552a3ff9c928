"""The clinic's dashboard."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.clinics import bp
from agency.extensions import db
from agency.models import Clinic, Opening, Role
from agency.security import roles_required


def my_clinic() -> Clinic:
    if current_user.clinic_id is None:
        abort(403)
    clinic = db.session.get(Clinic, current_user.clinic_id)
    if clinic is None:
        abort(403)
    return clinic


@bp.route("/")
@roles_required(Role.CLINIC.value)
def dashboard() -> ResponseReturnValue:
    clinic = my_clinic()
    openings = (
        db.session.execute(
            db.select(Opening)
            .where(Opening.clinic_id == clinic.id)
            .order_by(Opening.created_at.desc())
        )
        .scalars()
        .all()
    )
    return render_template("clinics/dashboard.html", clinic=clinic, openings=openings)

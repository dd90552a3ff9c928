"""The staff dashboard: what needs attention today, and the manager's charts."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from agency.security import roles_required
from agency.services import staff_queries
from agency.staff import bp
from agency.staff.common import STAFF_ROLES


@bp.route("/")
@roles_required(*STAFF_ROLES)
def dashboard() -> ResponseReturnValue:
    return render_template("staff/dashboard.html", board=staff_queries.dashboard())

"""The staff dashboard: what needs attention today, and the manager's charts."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.models import STAFF_ROLES
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit
from agency.services.staff_queries import dashboard as board_queries
from agency.staff import bp


@bp.route("/")
@roles_required(*STAFF_ROLES)
def dashboard() -> ResponseReturnValue:
    board = board_queries.dashboard()
    audit.record_views(
        (a.candidate_id for a in board.new_applications),
        actor_id=signed_in_user().id,
        page="dashboard",
        ip=client_ip(),
    )
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template("staff/dashboard.html", board=board)
    db.session.commit()
    return html

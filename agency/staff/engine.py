"""The engine page: which model ranks, what it learned from, how it compares; retrain on demand."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.models import STAFF_ROLES, utcnow
from agency.security import audit_here, roles_required
from agency.services import outbox, ranker
from agency.staff import bp


@bp.route("/engine")
@roles_required(*STAFF_ROLES)
def engine() -> ResponseReturnValue:
    return render_template(
        "staff/engine.html", status=ranker.status(), min_decisions=ranker.MIN_DECISIONS
    )


@bp.route("/engine/retrain", methods=["POST"])
@roles_required(*STAFF_ROLES)
def engine_retrain() -> ResponseReturnValue:
    # One job per minute: a double click or a retried request does not train twice.
    minute = utcnow().strftime("%Y%m%d%H%M")
    queued = outbox.add(ranker.RETRAIN_KIND, {}, dedupe_key=f"retrain:{minute}")
    audit_here("ranker_retrain_requested", object_type="ranker", details={"queued": bool(queued)})
    db.session.commit()
    if queued is None:
        flash("A retrain was already requested this minute.", "info")
    else:
        flash("Retraining queued: the result appears here when the worker has run it.", "success")
    return redirect(url_for("staff.engine"))

"""Batch fill: pick openings, see the engine's optimal assignment, accept or change each row."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS
from agency.ids import MAX_ID
from agency.models import STAFF_ROLES, Opening, OpeningStatus
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, batch_fill
from agency.services.staff_queries import lists as list_queries
from agency.services.staff_queries import search as search_queries
from agency.staff import bp
from agency.staff.forms import BatchPickForm


def _next_week() -> tuple[date, date]:
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


@bp.route("/batch")
@roles_required(*STAFF_ROLES)
def batch() -> ResponseReturnValue:
    """Step 1: choose the openings (default: open ones starting next week)."""
    args = MultiDict(request.args)
    if not args:
        start, end = _next_week()
        args = MultiDict({"start_from": start.isoformat(), "start_to": end.isoformat()})
    form = BatchPickForm(args)
    openings: list[Opening] = []
    if form.validate():
        filters = search_queries.OpeningFilters(
            role=form.role.data or "",
            status=OpeningStatus.OPEN,
            start_from=form.start_from.data,
            start_to=form.start_to.data,
        )
        openings = search_queries.opening_list(filters, batch_fill.MAX_OPENINGS)
    return render_template("staff/batch.html", form=form, openings=openings), FORM_ERROR_STATUS


def _ids(name: str) -> list[int]:
    out = []
    for raw in request.values.getlist(name):
        if raw.isdigit() and 0 < int(raw) <= MAX_ID:
            out.append(int(raw))
    return out


@bp.route("/batch/proposal")
@roles_required(*STAFF_ROLES)
def batch_proposal() -> ResponseReturnValue:
    """Step 2: the proposal (computed, not stored) for the chosen openings."""
    ids = _ids("opening")[: batch_fill.MAX_OPENINGS]
    if not ids:
        flash("Pick at least one opening.", "error")
        return redirect(url_for("staff.batch"))
    openings = list_queries.openings_by_start(ids)
    proposal = batch_fill.propose(openings)
    audit.record_views(
        (c.candidate_id for row in proposal.rows for c in row.alternatives),
        actor_id=signed_in_user().id,
        page="batch_proposal",
        ip=client_ip(),
    )
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template("staff/batch_proposal.html", proposal=proposal, opening_ids=ids)
    db.session.commit()
    return html


@bp.route("/batch/accept", methods=["POST"])
@roles_required(*STAFF_ROLES)
def batch_accept() -> ResponseReturnValue:
    """Step 3: submit each accepted row's candidate to its opening (one transaction)."""
    rows = []
    for key in request.form.getlist("accept"):
        opening_id = request.form.get(f"opening-{key}", "")
        candidate_id = request.form.get(f"candidate-{key}", "")
        if (
            opening_id.isdigit()
            and candidate_id.isdigit()
            and int(opening_id) <= MAX_ID
            and int(candidate_id) <= MAX_ID
        ):
            rows.append((int(opening_id), int(candidate_id)))
    back = url_for("staff.batch_proposal", opening=_ids("opening"))
    if not rows:
        flash("Tick at least one row to accept.", "error")
        return redirect(back)
    result = batch_fill.accept(rows, signed_in_user(), ip=client_ip())
    db.session.commit()
    people = list_queries.candidates_by_id(c for _, c in rows)
    names = {cid: c.full_name for cid, c in people.items()}
    if result.done:
        flash(f"Submitted {len(result.done)} candidate(s) to their clinics.", "success")
    for cid, why in result.skipped:
        flash(f"{names.get(cid, f'Candidate #{cid}')} skipped: {why}", "warning")
    return redirect(url_for("staff.pipeline", stage="submitted"))

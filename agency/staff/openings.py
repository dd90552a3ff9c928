"""Opening review: every candidate the engine ranks for an opening, and the actions on them."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS
from agency.ids import MAX_ID
from agency.models import STAFF_ROLES, Candidate, Stage
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, pipeline, reliability
from agency.services.engine import COMPONENT_LABELS, engine, name_of
from agency.services.staff_queries import lists as list_queries
from agency.services.staff_queries import review as review_queries
from agency.staff import bp
from agency.staff.forms import REVIEW_ACTIONS, ReviewActionForm, ReviewFilterForm

# The ranking is shown a page at a time: 25 rows, then "show the next 25" up to the form's cap.
DEFAULT_TOP = 25
TOP_STEP = 25
MAX_TOP = 500
ACTION_WORDS = {
    "shortlist": "shortlisted",
    "submit": "submitted to the clinic",
    "reject": "rejected",
    "note": "noted",
}


def _opening_or_404(opening_id: int):
    opening = review_queries.load_opening(opening_id)
    if opening is None:
        abort(404)
    return opening


def _render_review(
    opening, action_form: ReviewActionForm, status: int = 200
) -> ResponseReturnValue:
    filters = ReviewFilterForm(request.args)
    valid = filters.validate()
    f = review_queries.ReviewFilters()
    k = DEFAULT_TOP
    if valid:
        f = review_queries.ReviewFilters(
            eligible_only=bool(filters.eligible.data),
            near_misses=bool(filters.near_misses.data),
            applied_only=bool(filters.applied.data),
            max_miles=filters.miles.data,
            stage=filters.stage.data or "",
        )
        k = filters.k.data or DEFAULT_TOP
    rows, total = review_queries.opening_review(opening, k, f)
    # Names and ZIP codes of everyone listed: one audit event each, in one INSERT.
    audit.record_views(
        (r.candidate.id for r in rows),
        actor_id=signed_in_user().id,
        page="opening_review",
        ip=client_ip(),
        details={"opening_id": opening.id},
    )
    stats = {
        "eligible": sum(1 for r in rows if r.eligible),
        "near_misses": valid and bool(filters.near_misses.data),
        "applied": sum(1 for r in rows if r.application is not None),
    }
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "staff/opening_review.html",
        opening=opening,
        rows=rows,
        total=total,
        stats=stats,
        filters=filters,
        form=action_form,
        blind=bool(valid and filters.blind.data),
        k=k,
        step=TOP_STEP,
        max_top=MAX_TOP,
        notes=review_queries.opening_notes(opening.id),
        stages=[s.value for s in Stage],
        actions=REVIEW_ACTIONS,
        review_moves=pipeline.review_moves,
        name_of=name_of,
    )
    db.session.commit()
    return html, status


@bp.route("/openings/<int:opening_id>")
@roles_required(*STAFF_ROLES)
def opening_review(opening_id: int) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    return _render_review(opening, ReviewActionForm())


@bp.route("/openings/<int:opening_id>/candidates/<int:candidate_id>/breakdown")
@roles_required(*STAFF_ROLES)
def match_breakdown(opening_id: int, candidate_id: int) -> ResponseReturnValue:
    """One candidate's score for the opening, component by component.

    The review list fetches it (`?partial=1`, the fragment alone) when a row's breakdown is
    opened, rather than rendering fifty breakdowns nobody opened; without script the row links
    to the whole page.
    """
    opening = _opening_or_404(opening_id)
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or pipeline.is_erased(candidate):
        abort(404)  # an erased person is in no ranking
    explanation = engine().explain_in_pool(opening, [candidate.id]).get(candidate.id)
    if explanation is None:  # not in the pool (e.g. inactive): score the pair directly
        explanation = engine().explain(candidate, opening)
    partial = request.args.get("partial") == "1"
    audit.record_views(
        [candidate.id],
        actor_id=signed_in_user().id,
        page="match_breakdown",
        ip=client_ip(),
        details={"opening_id": opening.id},
    )
    html = render_template(
        "staff/_breakdown.html" if partial else "staff/match_breakdown.html",
        opening=opening,
        candidate=candidate,
        e=explanation,
        labels=COMPONENT_LABELS,
        # The shift record behind the track-record component (issue 18).
        record=reliability.describe([candidate.id])[candidate.id],
        blind=bool(request.args.get("blind")),
    )
    db.session.commit()
    return html


@bp.route("/openings/<int:opening_id>/act", methods=["POST"])
@roles_required(*STAFF_ROLES)
def opening_act(opening_id: int) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    form = ReviewActionForm()
    filters: dict[str, Any] = request.args.to_dict()
    back = url_for("staff.opening_review", opening_id=opening.id, **filters)
    if not form.validate_on_submit():
        for field in (form.candidate_ids, form.action, form.reason, form.note):
            for error in field.errors:
                flash(str(error), "error")
        return _render_review(opening, form, FORM_ERROR_STATUS)
    ids = [cid for cid in form.candidate_ids.data if 0 < cid <= MAX_ID]
    candidates = list(list_queries.candidates_by_id(ids).values())
    if len(candidates) != len(set(ids)):
        abort(404)
    action = form.action.data
    result = pipeline.bulk_review(
        opening,
        candidates,
        action,
        signed_in_user(),
        reason=form.reason.data or "",
        note=form.note.data or "",
        ip=client_ip(),
        clinic_note=form.clinic_note.data or "",
        confirm_ineligible=bool(form.confirm_ineligible.data),
    )
    db.session.commit()
    names = {c.id: c for c in candidates}
    blind = bool(request.args.get("blind"))
    if result.unconfirmed:
        # The others went ahead; these wait for staff to read the engine's reasons and confirm.
        return render_template(
            "staff/confirm_submit.html",
            opening=opening,
            form=form,
            pending=[(names[cid], reasons) for cid, reasons in result.unconfirmed],
            done=len(result.done),
            blind=blind,
            back=back,
        )
    if result.done:
        n = len(result.done)
        who = "1 candidate" if n == 1 else f"{n} candidates"
        flash(f"{who.capitalize()} {ACTION_WORDS[action]}.", "success")
    for cid, why in result.skipped:
        label = f"Candidate #{cid}" if blind else names[cid].full_name
        flash(f"{label} skipped: {why}", "warning")
    return redirect(back)

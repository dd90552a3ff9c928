"""Talent pools: the list, one pool's page, adding candidates (from search results in bulk or
from a candidate's page), removing them, and ranking a pool against an opening in one click."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, show_field_error
from agency.models import STAFF_ROLES, OpeningStatus, TalentPool
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, pipeline, pools
from agency.services.engine import name_of
from agency.services.pools import PoolError
from agency.services.staff_queries import review as review_queries
from agency.services.staff_queries import search as search_queries
from agency.staff import bp
from agency.staff.forms import ReviewActionForm
from agency.staff.pool_forms import (
    ConfirmForm,
    PoolMembersForm,
    PoolNameForm,
    RankPoolForm,
    RemoveMembersForm,
    candidate_ids,
)

RANK_OPENINGS = 300  # open openings offered in the "rank against" list


def _pool_or_404(pool_id: int) -> TalentPool:
    pool = db.session.get(TalentPool, pool_id)
    if pool is None:
        abort(404)
    return pool


def members_form() -> PoolMembersForm:
    """The "add to a pool" form of the search results and the candidate page."""
    form = PoolMembersForm()
    form.pool_id.choices = choices(pools.pool_choices())
    return form


def rank_form(formdata: object = None) -> RankPoolForm:
    form = RankPoolForm(formdata=formdata) if formdata is not None else RankPoolForm(formdata=None)
    openings = search_queries.opening_list(
        search_queries.OpeningFilters(status=OpeningStatus.OPEN.value), RANK_OPENINGS
    )
    form.opening_id.choices = choices(
        [(str(o.id), f"{o.title} · {o.clinic.name}" if o.clinic else o.title) for o in openings]
    )
    return form


def _safe_back(back: str | None, default: str) -> str:
    """Only our own staff pages (no scheme, no host): the search with its filters, a
    candidate's page."""
    if back and back.startswith("/staff/") and "//" not in back and "\\" not in back:
        return back
    return default


@bp.route("/pools", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def pools_list() -> ResponseReturnValue:
    form = PoolNameForm()
    status = 200
    if form.validate_on_submit():
        try:
            pool = pools.create(form.name.data, signed_in_user(), client_ip())
        except PoolError as exc:
            db.session.rollback()
            show_field_error(form, exc, "name")
        else:
            db.session.commit()
            flash(f"Pool “{pool.name}” created.", "success")
            return redirect(url_for("staff.pool", pool_id=pool.id))
    if form.errors:
        status = FORM_ERROR_STATUS
    return render_template("staff/pools.html", pools=pools.all_pools(), form=form), status


def _render_pool(
    pool: TalentPool, name_form: PoolNameForm | None = None, status: int = 200
) -> ResponseReturnValue:
    people = pools.members(pool.id)
    audit.record_views(
        (c.id for c in people), actor_id=signed_in_user().id, page="talent_pool", ip=client_ip()
    )
    html = render_template(
        "staff/pool.html",
        pool=pool,
        members=people,
        name_form=name_form or PoolNameForm(formdata=None, obj=pool),
        remove_form=RemoveMembersForm(formdata=None),
        delete_form=ConfirmForm(formdata=None),
        rank_form=rank_form(),
    )
    db.session.commit()
    return html, status


@bp.route("/pools/<int:pool_id>")
@roles_required(*STAFF_ROLES)
def pool(pool_id: int) -> ResponseReturnValue:
    return _render_pool(_pool_or_404(pool_id))


@bp.route("/pools/<int:pool_id>/rename", methods=["POST"])
@roles_required(*STAFF_ROLES)
def pool_rename(pool_id: int) -> ResponseReturnValue:
    pool = _pool_or_404(pool_id)
    form = PoolNameForm()
    if not form.validate_on_submit():
        return _render_pool(pool, form, FORM_ERROR_STATUS)
    try:
        pools.rename(pool, form.name.data, signed_in_user(), client_ip())
    except PoolError as exc:
        db.session.rollback()
        show_field_error(form, exc, "name")
        return _render_pool(pool, form, FORM_ERROR_STATUS)
    db.session.commit()
    flash("Pool renamed.", "success")
    return redirect(url_for("staff.pool", pool_id=pool.id))


@bp.route("/pools/<int:pool_id>/delete", methods=["POST"])
@roles_required(*STAFF_ROLES)
def pool_delete(pool_id: int) -> ResponseReturnValue:
    pool = _pool_or_404(pool_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = pool.name
    pools.delete_pool(pool, signed_in_user(), client_ip())
    db.session.commit()
    flash(f"Pool “{name}” deleted; its candidates are unchanged.", "success")
    return redirect(url_for("staff.pools_list"))


@bp.route("/pools/members", methods=["POST"])
@roles_required(*STAFF_ROLES)
def pool_add() -> ResponseReturnValue:
    """Add the checked candidates to the chosen pool, then back to where staff were."""
    form = members_form()
    back = _safe_back(form.back.data, url_for("staff.candidates"))
    if not form.validate_on_submit():
        flash("Choose a pool and at least one candidate.", "error")
        return redirect(back)
    ids = candidate_ids(form.candidate_ids.data)
    if not ids:
        flash("Check at least one candidate to add.", "error")
        return redirect(back)
    pool = _pool_or_404(int(form.pool_id.data))
    added = pools.add(pool, ids, signed_in_user(), client_ip())
    db.session.commit()
    skipped = len(ids) - added
    message = f"{added} added to “{pool.name}”."
    if skipped:
        message += f" {skipped} already in it (or not found)."
    flash(message, "success")
    return redirect(back)


@bp.route("/pools/<int:pool_id>/remove", methods=["POST"])
@roles_required(*STAFF_ROLES)
def pool_remove(pool_id: int) -> ResponseReturnValue:
    pool = _pool_or_404(pool_id)
    form = RemoveMembersForm()
    ids = candidate_ids(form.candidate_ids.data) if form.validate_on_submit() else []
    if not ids:
        flash("Check the candidates to remove.", "error")
        return redirect(url_for("staff.pool", pool_id=pool.id))
    removed = pools.remove(pool, ids, signed_in_user(), client_ip())
    db.session.commit()
    flash(f"{removed} removed from the pool.", "success")
    return redirect(url_for("staff.pool", pool_id=pool.id))


@bp.route("/pools/<int:pool_id>/rank")
@roles_required(*STAFF_ROLES)
def pool_rank_pick(pool_id: int) -> ResponseReturnValue:
    """The pool page's "rank against" form (a GET, it changes nothing)."""
    pool = _pool_or_404(pool_id)
    form = rank_form(request.args)
    if not form.validate():
        flash("Choose an open opening to rank the pool against.", "error")
        return redirect(url_for("staff.pool", pool_id=pool.id))
    return redirect(
        url_for("staff.pool_ranking", pool_id=pool.id, opening_id=int(form.opening_id.data))
    )


@bp.route("/pools/<int:pool_id>/openings/<int:opening_id>")
@roles_required(*STAFF_ROLES)
def pool_ranking(pool_id: int, opening_id: int) -> ResponseReturnValue:
    """The pool's members ranked for the opening, as the review rows show them."""
    pool = _pool_or_404(pool_id)
    opening = review_queries.load_opening(opening_id)
    if opening is None:
        abort(404)
    ranking = pools.rank_against(pool, opening)
    audit.record_views(
        (r.candidate.id for r in ranking.rows),
        actor_id=signed_in_user().id,
        page="pool_ranking",
        ip=client_ip(),
        details={"opening_id": opening.id, "pool_id": pool.id},
    )
    html = render_template(
        "staff/pool_ranking.html",
        pool=pool,
        opening=opening,
        rows=ranking.rows,
        unscored=ranking.unscored,
        name_of=name_of,
        # The review's own bulk actions: shortlist or submit straight from the pool's ranking.
        form=ReviewActionForm(formdata=None),
        review_moves=pipeline.review_moves,
    )
    db.session.commit()
    return html

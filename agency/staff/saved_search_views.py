"""Saved candidate searches: save the search on screen by name, run it again in one click,
turn its daily alert on or off, delete it. Each staff member sees their own."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices
from agency.models import STAFF_ROLES, SavedSearch
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, saved_searches
from agency.services.saved_searches import SavedSearchError
from agency.services.staff_queries import search as search_queries
from agency.staff import bp
from agency.staff.forms import CandidateSearchForm
from agency.staff.pool_forms import AlertForm, ConfirmForm, SaveSearchForm


def _mine_or_404(search_id: int) -> SavedSearch:
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.owner_id != signed_in_user().id:
        abort(404)  # another staff member's searches are theirs
    return search


def _render(form: SaveSearchForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/saved_searches.html",
        searches=saved_searches.of_owner(signed_in_user().id),
        form=form,
        alert_form=AlertForm(formdata=None),
        delete_form=ConfirmForm(formdata=None),
    ), status


@bp.route("/saved-searches")
@roles_required(*STAFF_ROLES)
def saved_searches_list() -> ResponseReturnValue:
    return _render(SaveSearchForm(formdata=None))


@bp.route("/saved-searches", methods=["POST"])
@roles_required(*STAFF_ROLES)
def saved_search_create() -> ResponseReturnValue:
    """Save the search form's filters (carried in `query`), checked by the search's own form."""
    form = SaveSearchForm()
    if not form.validate_on_submit():
        return _render(form, FORM_ERROR_STATUS)
    try:
        args: MultiDict[str, str] = MultiDict(parse_qsl(form.query.data or "", max_num_fields=100))
    except ValueError:  # more fields than any search form has
        args = MultiDict({"q": "\x00"})  # refused below, as any bad filter is
    search_form = CandidateSearchForm(args)
    search_form.skill.choices = choices([("", "Any skill"), *search_queries.skill_choices()])
    search_form.credential.choices = choices(
        [("", "Any credential"), *search_queries.credential_choices()]
    )
    if not search_form.validate():
        form.query.errors = ["Fix the search's filters before saving it."]
        form.form_errors.append("Fix the search's filters before saving it.")
        return _render(form, FORM_ERROR_STATUS)
    filters = saved_searches.clean_filters(args)
    try:
        search = saved_searches.save(
            signed_in_user(), form.name.data, filters, bool(form.alert.data), client_ip()
        )
    except SavedSearchError as exc:
        db.session.rollback()
        form.name.errors = [str(exc)]
        return _render(form, FORM_ERROR_STATUS)
    db.session.commit()
    flash(f"Search “{search.name}” saved.", "success")
    return redirect(url_for("staff.saved_searches_list"))


@bp.route("/saved-searches/<int:search_id>/run")
@roles_required(*STAFF_ROLES)
def saved_search_run(search_id: int) -> ResponseReturnValue:
    search = _mine_or_404(search_id)
    return redirect(url_for("staff.candidates", **search.filters))


@bp.route("/saved-searches/<int:search_id>/alert", methods=["POST"])
@roles_required(*STAFF_ROLES)
def saved_search_alert(search_id: int) -> ResponseReturnValue:
    search = _mine_or_404(search_id)
    form = AlertForm()
    if not form.validate_on_submit():
        abort(400)
    saved_searches.set_alert(search, bool(form.alert.data))
    audit.record(
        "saved_search_alert_changed",
        actor_id=signed_in_user().id,
        object_type="saved_search",
        object_id=search.id,
        ip=client_ip(),
        details={"alert": search.alert},
    )
    db.session.commit()
    flash(
        f"Daily e-mail for “{search.name}” {'on' if search.alert else 'off'}.",
        "success",
    )
    return redirect(url_for("staff.saved_searches_list"))


@bp.route("/saved-searches/<int:search_id>/delete", methods=["POST"])
@roles_required(*STAFF_ROLES)
def saved_search_delete(search_id: int) -> ResponseReturnValue:
    search = _mine_or_404(search_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    audit.record(
        "saved_search_deleted",
        actor_id=signed_in_user().id,
        object_type="saved_search",
        object_id=search.id,
        ip=client_ip(),
    )
    db.session.delete(search)
    db.session.commit()
    flash("Saved search deleted.", "success")
    return redirect(url_for("staff.saved_searches_list"))

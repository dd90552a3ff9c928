"""Search: candidates (keyword, role, skill, credential, ZIP radius, availability) and openings."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, page_arg
from agency.models import STAFF_ROLES
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit
from agency.services.staff_queries import dashboard as board_queries
from agency.services.staff_queries import search as search_queries
from agency.staff import bp, pool_views
from agency.staff.forms import CandidateSearchForm, OpeningSearchForm
from agency.staff.pool_forms import SaveSearchForm


def _args_without_page() -> dict[str, object]:
    """The current filters, to carry through pagination links (lists stay lists)."""
    return {k: request.args.getlist(k) for k in request.args if k != "page"}


def candidate_search_form() -> CandidateSearchForm:
    form = CandidateSearchForm(request.args)
    form.skill.choices = choices([("", "Any skill"), *search_queries.skill_choices()])
    form.credential.choices = choices(
        [("", "Any credential"), *search_queries.credential_choices()]
    )
    return form


def candidate_filters(form: CandidateSearchForm) -> search_queries.CandidateFilters:
    """The filters of a validated search form (the list page and its export)."""
    return search_queries.CandidateFilters(
        q=form.q.data or "",
        role=form.role.data or "",
        skill=form.skill.data or "",
        skill_level=int(form.skill_level.data or 1),
        credential=form.credential.data or "",
        zip_code=form.zip_code.data or "",
        radius=form.radius.data,
        availability=sum(1 << int(b) for b in form.availability.data or []),
    )


def opening_search_form() -> OpeningSearchForm:
    form = OpeningSearchForm(request.args)
    form.clinic.choices = choices([("", "Any clinic"), *search_queries.clinic_choices()])
    return form


def opening_filters(form: OpeningSearchForm) -> search_queries.OpeningFilters:
    return search_queries.OpeningFilters(
        q=form.q.data or "",
        clinic_id=int(form.clinic.data) if form.clinic.data else None,
        role=form.role.data or "",
        status=form.status.data or "",
    )


@bp.route("/candidates")
@roles_required(*STAFF_ROLES)
def candidates() -> ResponseReturnValue:
    form = candidate_search_form()
    page = None
    if form.validate():
        page = search_queries.candidate_search(candidate_filters(form), page_arg())
        audit.record_views(
            (c.id for c in page.items),
            actor_id=signed_in_user().id,
            page="candidate_search",
            ip=client_ip(),
        )
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "staff/candidates.html",
        form=form,
        page=page,
        args=_args_without_page(),
        # Under the results: add the checked candidates to a pool, save this search.
        pool_form=pool_views.members_form(),
        save_form=SaveSearchForm(formdata=None, query=urlencode(_args_without_page(), doseq=True)),
    )
    db.session.commit()
    return html, FORM_ERROR_STATUS


@bp.route("/openings")
@roles_required(*STAFF_ROLES)
def openings() -> ResponseReturnValue:
    form = opening_search_form()
    page, rows = None, []
    if form.validate():
        page = search_queries.opening_search(opening_filters(form), page_arg())
        rows = board_queries.opening_rows(list(page.items))
    return render_template(
        "staff/openings.html", form=form, page=page, rows=rows, args=_args_without_page()
    ), FORM_ERROR_STATUS

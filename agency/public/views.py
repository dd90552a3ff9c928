"""Home, the job board and the public view of an opening."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.models import OpeningStatus, Role
from agency.public import bp
from agency.public.forms import JobSearchForm
from agency.security import public
from agency.services import applications, health, job_feeds, jobboard, openings
from agency.services.engine import taxonomy


@bp.route("/")
@public
def home() -> ResponseReturnValue:
    latest = jobboard.latest(6)
    return render_template("public/home.html", latest_openings=latest)


@bp.route("/automated-ranking")
@public
def automated_ranking() -> ResponseReturnValue:
    """The notice every candidate is owed: an automated tool ranks them, what it looks at, and
    how to ask for a human review instead."""
    return render_template("public/automated_ranking.html")


def _page_number() -> int:
    try:
        page = int(request.args.get("page", "1")[:12])
    except ValueError:
        return 1
    return min(max(page, 1), jobboard.MAX_PAGE)


@bp.route("/jobs")
@public
def jobs() -> ResponseReturnValue:
    form = JobSearchForm(formdata=request.args)
    form.validate()
    results = jobboard.search(form.filters(_page_number()))
    # Keep the valid filters in the pagination links.
    filters = {
        name: request.args.get(name)
        for name in ("q", "role", "employment_type", "min_pay", "zip", "radius", "sort")
        if request.args.get(name) and not form[name].errors
    }
    return render_template(
        "public/jobs.html", form=form, results=results, page=results.page, filters=filters
    )


@bp.route("/jobs/<int:opening_id>")
@public
def job_detail(opening_id: int) -> ResponseReturnValue:
    opening = jobboard.public_opening(opening_id, current_user)
    if opening is None:
        # A filled or closed opening that was public says so (410) and offers similar ones;
        # drafts and unapproved clinics' openings are not public (and never leak): 404.
        gone = job_feeds.gone(opening_id)
        if gone is None:
            abort(404)
        html = render_template("public/job_gone.html", gone=gone.opening, similar=gone.similar)
        return html, 410
    tax = taxonomy()
    categories = {c.code: c.name for c in tax.categories}
    groups: dict[str, list[tuple[str, int]]] = {}
    nice_to_have = []
    for req in sorted(opening.skills, key=lambda r: (-r.min_level, -r.weight, r.skill.name)):
        if req.min_level == 0:
            if req.weight >= openings.NICE_TO_HAVE_MIN_WEIGHT:
                nice_to_have.append(req.skill.name)
            continue
        category = categories.get(req.skill.category, req.skill.category)
        groups.setdefault(category, []).append((req.skill.name, req.min_level))
    # Categories with the most demanding skills first (dicts keep insertion order).
    skill_groups = list(groups.items())
    url = url_for("public.job_detail", opening_id=opening.id, _external=True)
    applied = None
    if current_user.is_authenticated and current_user.role == Role.CANDIDATE:
        applied = applications.of_user(current_user.id, opening.id)
    return render_template(
        "public/job_detail.html",
        opening=opening,
        skill_groups=skill_groups,
        nice_to_have=nice_to_have,
        level_words=openings.LEVEL_WORDS,
        schedule=openings.schedule_days(opening.shift_mask or 0),
        schedule_summary=openings.schedule_summary(opening.shift_mask or 0),
        bits=set(openings.bits_from_mask(opening.shift_mask or 0)),
        name_of=tax.name_of,
        show_private=jobboard.may_see_private(opening, current_user),
        is_public=opening.status == OpeningStatus.OPEN and opening.clinic.approved,
        json_ld=jobboard.job_posting_ld(opening, url),
        canonical_url=url,
        applied=applied,
    )


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    result = health.report()
    return jsonify(result), 200 if result["database"]["ok"] else 503

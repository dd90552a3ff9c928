"""Job distribution: the aggregator XML feed (/jobs.xml), the sitemap, and an Atom feed of new
openings that takes the job board's filters."""

from __future__ import annotations

from email.utils import format_datetime

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.models import utcnow
from agency.public import bp
from agency.public.forms import JobSearchForm
from agency.security import public
from agency.services import job_feeds
from agency.services.openings import schedule_summary

XML = "application/xml"


def _xml(template: str, mimetype: str = XML, **context: object) -> Response:
    context.setdefault("rfc822", lambda when: format_datetime(when, usegmt=True))
    context.setdefault("now", utcnow())
    return Response(render_template(template, **context), mimetype=mimetype)


@bp.route("/jobs.xml")
@public
def jobs_xml() -> ResponseReturnValue:
    """Every open opening in the XML format job aggregators (Indeed) read."""
    openings = job_feeds.open_openings()
    return _xml(
        "public/feeds/indeed.xml",
        openings=openings,
        built=job_feeds.last_change(openings),
        job_type=job_feeds.job_type,
        salary=job_feeds.salary_text,
        valid_through=job_feeds.valid_through,
        schedule_summary=schedule_summary,
    )


@bp.route("/sitemap.xml")
@public
def sitemap() -> ResponseReturnValue:
    openings = job_feeds.open_openings()
    return _xml("public/feeds/sitemap.xml", openings=openings)


@bp.route("/jobs/feed.atom")
@public
def jobs_atom() -> ResponseReturnValue:
    """The newest open openings, filtered like the board (same query parameters as /jobs)."""
    form = JobSearchForm(formdata=request.args)
    form.validate()
    filters = form.filters(1)
    openings = job_feeds.newest(filters)
    args = {
        name: request.args.get(name)
        for name in ("q", "role", "employment_type", "min_pay", "zip", "radius")
        if request.args.get(name) and not form[name].errors
    }
    return _xml(
        "public/feeds/atom.xml",
        mimetype="application/atom+xml",
        openings=openings,
        updated=job_feeds.last_change(openings),
        self_url=url_for("public.jobs_atom", _external=True, **args),
        board_url=url_for("public.jobs", _external=True, **args),
        salary=job_feeds.salary_text,
        has_filters=bool(args),
    )

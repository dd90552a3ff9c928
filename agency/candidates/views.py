"""The candidate's dashboard: progress, applications with their history, openings that fit."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.forms import page_arg
from agency.models import Role
from agency.security import roles_required
from agency.services import applications as application_service
from agency.services import candidate_pages, interviews, profiles

__all__ = ["dashboard", "my_candidate"]

APPLICATIONS_PER_PAGE = 10
FITTING_OPENINGS = 5


@bp.route("/me")
@roles_required(Role.CANDIDATE)
def dashboard() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    home = candidate_pages.dashboard(
        candidate,
        page=page_arg(),
        per_page=APPLICATIONS_PER_PAGE,
        fitting=FITTING_OPENINGS,
    )
    alerts = [
        (c, e)
        for c in candidate.credentials
        if (e := profiles.expiry(c)).state in ("expired", "expiring")
    ]
    return render_template(
        "candidates/dashboard.html",
        candidate=candidate,
        progress=profiles.completeness(candidate),
        page=home.applications,
        matches=home.matches,
        fits=home.fits,
        alerts=alerts,
        can_withdraw=application_service.can_withdraw,
        interviews=[i for i in interviews.of_candidate(candidate) if i.is_active],
        local_time=interviews.local_time,
    )

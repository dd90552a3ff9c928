"""Interviews from the agency's side: the upcoming list, proposing times on a clinic's behalf,
and one interview with its move, cancel and outcome forms (shared: agency.interview_pages)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue

from agency import interview_pages
from agency.extensions import db
from agency.interview_pages import Frame
from agency.models import STAFF_ROLES, Application, Audience, Interview
from agency.security import roles_required
from agency.services import interviews
from agency.staff import bp

LAYOUT = "staff/_layout.html"


def _frame_for(interview: Interview) -> Frame:
    def action_url(action: str) -> str:
        if not action:
            return url_for("staff.interview", interview_id=interview.id)
        return url_for(f"staff.interview_{action}", interview_id=interview.id)

    back = url_for("staff.application", application_id=interview.application_id)
    return Frame(LAYOUT, back, Audience.STAFF, action_url)


def _interview_or_404(interview_id: int) -> Interview:
    found = interviews.get(interview_id)
    if found is None:
        abort(404)
    return found


@bp.route("/interviews")
@roles_required(*STAFF_ROLES)
def interviews_list() -> ResponseReturnValue:
    upcoming = interviews.upcoming()
    return render_template(
        "staff/interviews.html",
        upcoming=upcoming,
        local_time=interviews.local_time,
        mode_words=interviews.MODE_WORDS,
    )


@bp.route("/applications/<int:application_id>/interview", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def propose_interview(application_id: int) -> ResponseReturnValue:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    back = url_for("staff.application", application_id=application.id)
    frame = Frame(LAYOUT, back, Audience.STAFF, None)
    action = url_for("staff.propose_interview", application_id=application.id)
    return interview_pages.propose_page(application, frame, action)


@bp.route("/interviews/<int:interview_id>")
@roles_required(*STAFF_ROLES)
def interview(interview_id: int) -> ResponseReturnValue:
    found = _interview_or_404(interview_id)
    return interview_pages.detail_page(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["POST"])
@roles_required(*STAFF_ROLES)
def interview_reschedule(interview_id: int) -> ResponseReturnValue:
    found = _interview_or_404(interview_id)
    return interview_pages.reschedule(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/cancel", methods=["POST"])
@roles_required(*STAFF_ROLES)
def interview_cancel(interview_id: int) -> ResponseReturnValue:
    found = _interview_or_404(interview_id)
    return interview_pages.cancel(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/outcome", methods=["POST"])
@roles_required(*STAFF_ROLES)
def interview_outcome(interview_id: int) -> ResponseReturnValue:
    found = _interview_or_404(interview_id)
    return interview_pages.record_outcome(found, _frame_for(found))

"""The clinic's interviews: propose times for a submitted candidate, then move, cancel or record
the outcome of the interview (the pages are shared with staff: agency.interview_pages)."""

from __future__ import annotations

from flask import abort, url_for
from flask.typing import ResponseReturnValue

from agency import interview_pages
from agency.clinics import bp
from agency.clinics.views import my_clinic
from agency.interview_pages import Frame
from agency.models import Audience, Interview, Role
from agency.security import clinic_manager_required, roles_required
from agency.services import clinic_portal, interviews


def _frame_for(interview: Interview) -> Frame:
    def action_url(action: str) -> str:
        if not action:
            return url_for("clinics.interview", interview_id=interview.id)
        return url_for(f"clinics.interview_{action}", interview_id=interview.id)

    back = url_for("clinics.opening", opening_id=interview.application.opening_id)
    return Frame("base.html", f"{back}#app-{interview.application_id}", Audience.CLINIC, action_url)


@bp.route("/applications/<int:application_id>/interview", methods=["GET", "POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def propose_interview(application_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    application = clinic_portal.application_for(clinic, application_id)
    if application is None:
        abort(404)
    if not clinic.approved:
        abort(403)
    back = url_for("clinics.opening", opening_id=application.opening_id)
    frame = Frame("base.html", f"{back}#app-{application.id}", Audience.CLINIC, None)
    action = url_for("clinics.propose_interview", application_id=application.id)
    return interview_pages.propose_page(application, frame, action)


def _own_interview(interview_id: int) -> Interview:
    interview = interviews.for_clinic(my_clinic(), interview_id)
    if interview is None:
        abort(404)
    return interview


@bp.route("/interviews/<int:interview_id>")
@roles_required(Role.CLINIC)
def interview(interview_id: int) -> ResponseReturnValue:
    found = _own_interview(interview_id)
    return interview_pages.detail_page(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def interview_reschedule(interview_id: int) -> ResponseReturnValue:
    found = _own_interview(interview_id)
    return interview_pages.reschedule(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/cancel", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def interview_cancel(interview_id: int) -> ResponseReturnValue:
    found = _own_interview(interview_id)
    return interview_pages.cancel(found, _frame_for(found))


@bp.route("/interviews/<int:interview_id>/outcome", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def interview_outcome(interview_id: int) -> ResponseReturnValue:
    found = _own_interview(interview_id)
    return interview_pages.record_outcome(found, _frame_for(found))

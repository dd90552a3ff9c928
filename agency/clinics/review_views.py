"""The clinic's feedback on a submitted candidate: invite to interview, hire, or decline."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.clinics import bp
from agency.clinics.forms import MoveForm
from agency.clinics.views import my_clinic
from agency.extensions import db
from agency.models import Role
from agency.security import client_ip, clinic_manager_required, roles_required
from agency.services import clinic_portal, pipeline
from agency.services.pipeline import PipelineError

DONE = {
    "interview": "{name} is invited to interview. The agency will arrange it.",
    "offered": "Offer recorded for {name}. The agency will confirm the placement.",
    "rejected": "{name} is declined. Thank you for the feedback.",
}


@bp.route("/applications/<int:application_id>/move", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def move_application(application_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    application = clinic_portal.application_for(clinic, application_id)
    if application is None:
        abort(404)
    back = redirect(
        url_for("clinics.opening", opening_id=application.opening_id) + f"#app-{application.id}"
    )
    form = MoveForm()
    if not form.validate_on_submit():
        errors = [e for f in (form.to_stage, form.reason, form.details) for e in f.errors]
        if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
            abort(400)
        flash(errors[0] if errors else "Please check your choice.", "error")
        return back
    name = clinic_portal.display_name(application.candidate)
    try:
        pipeline.move(
            application, form.to_stage.data, current_user, form.reason_text(), client_ip()
        )
    except PipelineError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash(DONE[form.to_stage.data].format(name=name), "success")
    return back

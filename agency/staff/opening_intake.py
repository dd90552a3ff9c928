"""Staff opening intake: a job order a clinic gave by phone, typed in with the clinic's form."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, show_field_error
from agency.models import STAFF_ROLES, Clinic
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import openings

# Re-exported: the import page (staff/import_views.py) reads its clinic choices from here.
from agency.services.staff_queries.lists import approved_clinics as approved_clinics
from agency.staff import bp
from agency.staff.forms import StaffOpeningForm

ROLES = ("receptionist", "secretary", "hybrid")


def _with_clinics(form: Any) -> Any:
    form.clinic_id.choices = choices(
        [("", "Choose a clinic")] + [(str(c.id), c.name) for c in approved_clinics()]
    )
    return form


def _render(form: Any, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "staff/opening_intake.html",
            form=form,
            bits=form.selected_bits(),
            roles=ROLES,
        ),
        status,
    )


@bp.route("/openings/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def opening_intake() -> ResponseReturnValue:
    if request.method == "GET":
        role = request.args.get("role", "")
        draft = openings.default_draft(role if role in ROLES else "receptionist")
        data = StaffOpeningForm.data_from(draft)
        clinic_arg = request.args.get("clinic", type=int)
        if clinic_arg is not None:
            data["clinic_id"] = str(clinic_arg)
        return _render(_with_clinics(StaffOpeningForm(formdata=None, data=data)))
    form = _with_clinics(StaffOpeningForm())
    if not form.validate_on_submit():
        return _render(form, FORM_ERROR_STATUS if form.is_submitted() else 200)
    chosen = db.session.get(Clinic, int(form.clinic_id.data))
    if chosen is None or not chosen.approved:
        form.clinic_id.errors = ["Choose an approved clinic."]
        return _render(form, FORM_ERROR_STATUS)
    try:
        opening = openings.save(
            chosen,
            form.to_draft(),
            signed_in_user(),
            publish=bool(form.publish.data) or not form.save_draft.data,
            ip=client_ip(),
            entered_for_clinic=True,
        )
    except openings.OpeningError as exc:
        db.session.rollback()
        show_field_error(form, exc)
        return _render(form, FORM_ERROR_STATUS)
    db.session.commit()
    flash(
        f"The opening “{opening.title}” is entered for {chosen.name}"
        + (" and published." if opening.status == "open" else " as a draft."),
        "success",
    )
    return redirect(url_for("staff.opening_review", opening_id=opening.id))

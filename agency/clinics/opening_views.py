"""Posting and managing openings: start from a role or pasted text, edit, hold, close, duplicate."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.clinics import bp
from agency.clinics.forms import PasteForm, StatusForm
from agency.clinics.views import my_clinic
from agency.extensions import db
from agency.forms import show_field_error
from agency.models import Clinic, Opening, Role
from agency.opening_forms import OpeningForm
from agency.security import client_ip, clinic_manager_required, roles_required
from agency.services import clinic_portal, interviews, openings, pipeline
from agency.services.engine import name_of
from agency.services.openings import OpeningError, TextFindings


def _approved_clinic() -> Clinic | ResponseReturnValue:
    clinic = my_clinic()
    if not clinic.approved:
        return render_template("clinics/waiting.html", clinic=clinic), 403
    return clinic


def _own_opening(clinic: Clinic, opening_id: int) -> Opening:
    opening = clinic_portal.opening_for(clinic, opening_id)
    if opening is None:
        abort(404)
    return opening


def _render_form(
    form: Any,
    *,
    action: str,
    heading: str,
    opening: Opening | None = None,
    findings: TextFindings | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "clinics/opening_form.html",
            form=form,
            action=action,
            heading=heading,
            opening=opening,
            findings=findings,
            bits=form.selected_bits(),
        ),
        status,
    )


def _save(form: Any, clinic: Clinic, opening: Opening | None) -> Opening | None:
    """Save the form's draft; on a rule the service enforces, put the message on its field."""
    try:
        return openings.save(
            clinic,
            form.to_draft(),
            current_user,
            opening,
            publish=bool(form.publish.data) or not form.save_draft.data,
            ip=client_ip(),
        )
    except OpeningError as exc:
        db.session.rollback()
        show_field_error(form, exc)
        return None


def _saved_message(opening: Opening) -> str:
    if opening.status == "open":
        return "Your opening is published. The agency is matching candidates now."
    return "Your opening is saved as a draft. Publish it when you are ready."


@bp.route("/openings/new", methods=["GET", "POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def new_opening() -> ResponseReturnValue:
    clinic = _approved_clinic()
    if not isinstance(clinic, Clinic):
        return clinic
    role = request.args.get("role", "")
    if request.method == "GET" and role not in ("receptionist", "secretary", "hybrid"):
        return render_template("clinics/opening_start.html", paste=PasteForm(formdata=None))
    if request.method == "GET":
        form = OpeningForm(formdata=None, data=OpeningForm.data_from(openings.default_draft(role)))
        return _render_form(form, action=url_for("clinics.new_opening"), heading="Post an opening")
    form = OpeningForm()
    if form.validate_on_submit():
        opening = _save(form, clinic, None)
        if opening is not None:
            db.session.commit()
            flash(_saved_message(opening), "success")
            return redirect(url_for("clinics.opening", opening_id=opening.id))
    return _render_form(form, action=url_for("clinics.new_opening"), heading="Post an opening")


@bp.route("/openings/new/paste", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def paste_opening() -> ResponseReturnValue:
    """Step 1 of 2: read the pasted description and show the filled form; nothing is saved."""
    clinic = _approved_clinic()
    if not isinstance(clinic, Clinic):
        return clinic
    paste = PasteForm()
    if not paste.validate_on_submit():
        return render_template("clinics/opening_start.html", paste=paste), 200
    draft, findings = openings.draft_from_text(paste.text.data)
    form = OpeningForm(formdata=None, data=OpeningForm.data_from(draft))
    return _render_form(
        form, action=url_for("clinics.new_opening"), heading="Check your opening", findings=findings
    )


@bp.route("/openings/<int:opening_id>")
@roles_required(Role.CLINIC)
def opening(opening_id: int) -> ResponseReturnValue:
    clinic = my_clinic()
    found = _own_opening(clinic, opening_id)
    applications = clinic_portal.submitted_for(clinic, [found.id])[found.id]
    profiles = {a.id: clinic_portal.shared_profile(a.candidate) for a in applications}
    interviews_of = interviews.of_applications([a.id for a in applications])
    clinic_portal.record_views(current_user, applications, client_ip(), "opening")
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "clinics/opening.html",
        clinic=clinic,
        opening=found,
        applications=applications,
        profiles=profiles,
        stages={a.id: clinic_portal.clinic_stage(a) for a in applications},
        submittal_notes=clinic_portal.submittal_notes(applications),
        moves={a.id: pipeline.allowed_moves(a, Role.CLINIC) for a in applications},
        move_labels=clinic_portal.MOVE_LABELS,
        decline_reasons=clinic_portal.DECLINE_REASONS,
        placed=clinic_portal.placed_among(applications)[found.id],
        days_open=openings.days_open(found),
        schedule_summary=openings.schedule_summary(found.shift_mask or 0),
        actions=openings.allowed_actions(found),
        action_labels=openings.ACTION_LABELS,
        name_of=name_of,
        level_words=openings.LEVEL_WORDS,
        interviews_of=interviews_of,
        can_propose={a.id: interviews.proposable(a, interviews_of[a.id]) for a in applications},
        local_time=interviews.local_time,
    )
    db.session.commit()
    return html


@bp.route("/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def edit_opening(opening_id: int) -> ResponseReturnValue:
    clinic = _approved_clinic()
    if not isinstance(clinic, Clinic):
        return clinic
    found = _own_opening(clinic, opening_id)
    action = url_for("clinics.edit_opening", opening_id=found.id)
    if request.method == "GET":
        form = OpeningForm(
            formdata=None, data=OpeningForm.data_from(openings.draft_from_opening(found))
        )
        return _render_form(form, action=action, heading="Edit opening", opening=found)
    form = OpeningForm()
    if form.validate_on_submit():
        saved = _save(form, clinic, found)
        if saved is not None:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("clinics.opening", opening_id=saved.id))
    return _render_form(form, action=action, heading="Edit opening", opening=found)


@bp.route("/openings/<int:opening_id>/duplicate")
@roles_required(Role.CLINIC)
@clinic_manager_required
def duplicate_opening(opening_id: int) -> ResponseReturnValue:
    """A new opening's form, filled from an existing one; saved only when the clinic saves it."""
    clinic = _approved_clinic()
    if not isinstance(clinic, Clinic):
        return clinic
    found = _own_opening(clinic, opening_id)
    form = OpeningForm(
        formdata=None, data=OpeningForm.data_from(openings.draft_from_opening(found, copy=True))
    )
    return _render_form(
        form, action=url_for("clinics.new_opening"), heading=f"Post a copy of “{found.title}”"
    )


@bp.route("/openings/<int:opening_id>/status", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def opening_status(opening_id: int) -> ResponseReturnValue:
    clinic = _approved_clinic()
    if not isinstance(clinic, Clinic):
        return clinic
    found = _own_opening(clinic, opening_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        openings.change_status(found, form.action.data, current_user, client_ip())
    except OpeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        words = {
            "publish": "published",
            "hold": "on hold",
            "close": "closed",
            "reopen": "open again",
        }
        flash(f"“{found.title}” is {words[form.action.data]}.", "success")
    target = request.form.get("next", "")
    if target == "dashboard":
        return redirect(url_for("clinics.dashboard"))
    return redirect(url_for("clinics.opening", opening_id=found.id))

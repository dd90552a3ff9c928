"""The clinic's dashboard (openings with fill status and submitted candidates) and profile."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.clinics import bp
from agency.clinics.forms import ClinicProfileForm
from agency.extensions import db
from agency.forms import page_arg, show_field_error
from agency.models import Clinic, Role
from agency.security import client_ip, clinic_manager_required_to_write, roles_required
from agency.services import clinic_portal, interviews, openings
from agency.services.clinic_portal import ClinicError

PER_PAGE = 10


def my_clinic() -> Clinic:
    if current_user.clinic_id is None:
        abort(403)
    clinic = db.session.get(Clinic, current_user.clinic_id)
    if clinic is None:
        abort(403)
    return clinic


@bp.route("/")
@roles_required(Role.CLINIC)
def dashboard() -> ResponseReturnValue:
    clinic = my_clinic()
    page = clinic_portal.openings_page(clinic, page_arg(), PER_PAGE)
    ids = [o.id for o in page.items]
    submitted = clinic_portal.submitted_for(clinic, ids, profiles=False)
    shown = [a for apps in submitted.values() for a in apps]
    placed = clinic_portal.placed_among(shown)
    clinic_portal.record_views(current_user, shown, client_ip(), "dashboard")
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "clinics/dashboard.html",
        clinic=clinic,
        page=page,
        placed=placed,
        submitted=submitted,
        days_open=openings.days_open,
        display_name=clinic_portal.display_name,
        clinic_stage=clinic_portal.clinic_stage,
        actions=openings.allowed_actions,
        action_labels=openings.ACTION_LABELS,
        upcoming_interviews=interviews.upcoming(clinic_id=clinic.id, limit=20),
        local_time=interviews.local_time,
    )
    db.session.commit()
    return html


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required_to_write
def profile() -> ResponseReturnValue:
    clinic = my_clinic()
    form = ClinicProfileForm(obj=clinic)
    if form.validate_on_submit():
        try:
            clinic_portal.update_profile(clinic, form.to_profile(), current_user, client_ip())
        except ClinicError as exc:
            db.session.rollback()
            show_field_error(form, exc, "name")
            return render_template("clinics/profile.html", form=form, clinic=clinic)
        db.session.commit()
        flash("Your clinic profile is saved.", "success")
        return redirect(url_for("clinics.dashboard"))
    return render_template("clinics/profile.html", form=form, clinic=clinic)

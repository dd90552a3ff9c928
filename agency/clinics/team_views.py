"""The clinic's team: its logins (managers and viewers), invitations, removals, and who did
what on its openings; and the page where an invited colleague sets their password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from agency.clinics import bp
from agency.clinics.team_forms import InviteForm, JoinForm, RemoveForm, RoleForm
from agency.clinics.views import my_clinic
from agency.extensions import db, limiter
from agency.forms import FORM_ERROR_STATUS, show_field_error
from agency.models import Role, User
from agency.security import client_ip, clinic_manager_required, public, roles_required
from agency.services import accounts, clinic_team
from agency.services.accounts import AccountError
from agency.services.clinic_team import TeamError


def _render(invite_form: InviteForm, status: int = 200) -> ResponseReturnValue:
    clinic = my_clinic()
    return (
        render_template(
            "clinics/team.html",
            clinic=clinic,
            members=clinic_team.members(clinic.id),
            activity=clinic_team.activity(clinic),
            invite_form=invite_form,
            role_form=RoleForm(formdata=None),
            remove_form=RemoveForm(formdata=None),
            manager=clinic_team.is_manager(current_user),
        ),
        status,
    )


def _member_or_404(member_id: int) -> User:
    clinic = my_clinic()
    member = clinic_team.member_of(clinic.id, member_id)
    if member is None:
        abort(404)
    return member


@bp.route("/team")
@roles_required(Role.CLINIC)
def team() -> ResponseReturnValue:
    return _render(InviteForm(formdata=None))


@bp.route("/team/invite", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def team_invite() -> ResponseReturnValue:
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(form, FORM_ERROR_STATUS)
    clinic = my_clinic()
    try:
        clinic_team.invite(clinic, form.email.data, form.role.data, current_user, client_ip())
    except TeamError as exc:
        db.session.rollback()
        show_field_error(form, exc, "email")
        return _render(form, FORM_ERROR_STATUS)
    db.session.commit()
    flash(f"Invitation sent to {form.email.data}.", "success")
    return redirect(url_for("clinics.team"))


@bp.route("/team/<int:member_id>/role", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def team_role(member_id: int) -> ResponseReturnValue:
    member = _member_or_404(member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose manager or viewer.", "error")
        return redirect(url_for("clinics.team"))
    try:
        clinic_team.change_role(my_clinic(), member, form.role.data, current_user, client_ip())
    except TeamError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("clinics.team"))
    db.session.commit()
    flash(f"{member.email} is now a {form.role.data}.", "success")
    return redirect(url_for("clinics.team"))


@bp.route("/team/<int:member_id>/remove", methods=["POST"])
@roles_required(Role.CLINIC)
@clinic_manager_required
def team_remove(member_id: int) -> ResponseReturnValue:
    member = _member_or_404(member_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        clinic_team.remove(my_clinic(), member, current_user, client_ip())
    except TeamError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("clinics.team"))
    db.session.commit()
    flash(f"{member.email} was removed from the team.", "success")
    return redirect(url_for("clinics.team"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=client_ip)
@public
def join(token: str) -> ResponseReturnValue:
    """A colleague's invitation: set a password, then log in to the clinic's account."""
    row = accounts.clinic_invite_token(token) if len(token) <= 200 else None
    if row is None:
        flash(
            "This invitation link is invalid or has expired. "
            "Ask your clinic's manager for a new one.",
            "error",
        )
        return redirect(url_for("auth.login"))
    form = JoinForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_clinic_invite(token, form.password.data)
        except AccountError:
            db.session.rollback()
            abort(400)
        db.session.commit()
        login_user(user)
        flash("Welcome! You are on your clinic's team now.", "success")
        return redirect(url_for("clinics.dashboard"))
    return render_template("clinics/join.html", form=form, email=row.user.email)

"""Administration: approve clinics, manage staff accounts (admins only), read the audit log."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, page_arg, show_field_error
from agency.models import STAFF_ROLES, Clinic, Role, User
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import accounts, clinic_approval, staff_accounts
from agency.services.staff_queries import lists as list_queries
from agency.services.staff_queries import timelines as timeline_queries
from agency.staff import bp
from agency.staff.forms import AuditFilterForm, StaffAccountForm


@bp.route("/clinics")
@roles_required(*STAFF_ROLES)
def clinics() -> ResponseReturnValue:
    show = request.args.get("show", "pending")
    if show not in ("pending", "approved"):
        show = "pending"
    page = list_queries.clinics_page(show == "approved", page_arg())
    return render_template("staff/clinics.html", page=page, show=show)


@bp.route("/clinics/<int:clinic_id>/approve", methods=["POST"])
@roles_required(*STAFF_ROLES)
def clinic_approve(clinic_id: int) -> ResponseReturnValue:
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        abort(404)
    try:
        clinic_approval.approve(clinic, signed_in_user(), ip=client_ip())
    except clinic_approval.ApprovalError as exc:
        flash(str(exc), "info")
        return redirect(url_for("staff.clinics"))
    db.session.commit()
    flash(f"{clinic.name} approved; its members were told by e-mail.", "success")
    return redirect(url_for("staff.clinics"))


def _staff_page() -> Any:
    return list_queries.staff_accounts_page(page_arg())


@bp.route("/admin/staff", methods=["GET", "POST"], endpoint="accounts")
@roles_required(Role.ADMIN)
def accounts_page() -> ResponseReturnValue:
    form = StaffAccountForm()
    if form.validate_on_submit():
        try:
            user = staff_accounts.create(
                form.email.data,
                form.password.data,
                form.role.data,
                signed_in_user(),
                ip=client_ip(),
            )
        except accounts.AccountError as exc:
            show_field_error(form, exc, "email")
        else:
            db.session.commit()
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("staff.accounts"))
    status = FORM_ERROR_STATUS
    return render_template("staff/accounts.html", form=form, page=_staff_page()), status


@bp.route("/admin/staff/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def account_active(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        abort(404)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    try:
        staff_accounts.set_active(user, wanted == "1", signed_in_user(), ip=client_ip())
    except accounts.AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.accounts"))
    db.session.commit()
    flash(f"{user.email} {'reactivated' if wanted == '1' else 'deactivated'}.", "success")
    return redirect(url_for("staff.accounts"))


@bp.route("/admin/audit")
@roles_required(*STAFF_ROLES)
def audit_log() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    form.action.choices = choices(
        [("", "Any action")] + [(a, a.replace("_", " ")) for a in timeline_queries.audit_actions()]
    )
    page = None
    actors: dict[int, User] = {}
    if form.validate():
        page = timeline_queries.audit_page(
            form.action.data or "",
            form.actor.data or "",
            page_arg(),
            candidate_id=form.candidate.data,
        )
        actors = timeline_queries.users_by_id({e.actor_id for e in page.items})
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("staff/audit.html", form=form, page=page, actors=actors, args=args), (
        FORM_ERROR_STATUS
    )

"""The candidate's account: notification preferences, data export and erasure."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from agency.candidates import bp
from agency.candidates.forms import DeleteAccountForm, ExportForm, SettingsForm
from agency.candidates.helpers import commit_profile_change, my_candidate, rescore_after_commit
from agency.extensions import db
from agency.models import Role
from agency.security import audit_here, client_ip, roles_required
from agency.services import audit, passwords, privacy


@bp.route("/me/settings", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def settings() -> ResponseReturnValue:
    candidate = my_candidate()
    user = current_user
    form = SettingsForm()
    if request.method == "GET":
        form.email_notifications.data = user.email_notifications
        form.notify_new_openings.data = user.notify_new_openings
        form.consent_share_profile.data = candidate.consent_share_profile
    if form.validate_on_submit():
        user.email_notifications = bool(form.email_notifications.data)
        user.notify_new_openings = bool(form.notify_new_openings.data)
        candidate.consent_share_profile = bool(form.consent_share_profile.data)
        audit_here(
            "preferences_changed",
            object_type="user",
            object_id=user.id,
            details={
                "email_notifications": user.email_notifications,
                "notify_new_openings": user.notify_new_openings,
                "consent_share_profile": candidate.consent_share_profile,
            },
        )
        commit_profile_change(candidate.id)
        flash("Your preferences are saved.", "success")
        return redirect(url_for("candidates.settings"))
    return render_template(
        "candidates/settings.html",
        form=form,
        export_form=ExportForm(),
        candidate=candidate,
        views=audit.profile_views(candidate.id, own_user_id=user.id),
    )


@bp.route("/me/export", methods=["POST"])
@roles_required(Role.CANDIDATE)
def export() -> ResponseReturnValue:
    candidate = my_candidate()
    form = ExportForm()
    if not form.validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("candidates.settings"))
    data = privacy.export(candidate)
    audit_here("data_export", object_type="candidate", object_id=candidate.id)
    db.session.commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="clinicmatch-my-data.json"'},
    )


@bp.route("/me/delete", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def delete_account() -> ResponseReturnValue:
    candidate = my_candidate()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append("That is not your password.")
        else:
            candidate_id = candidate.id
            privacy.erase(candidate, ip=client_ip())
            db.session.commit()
            rescore_after_commit(candidate_id)
            logout_user()
            session.clear()
            flash(
                "Your account and personal data are erased. Thank you for using ClinicMatch.",
                "info",
            )
            return redirect(url_for("public.home"))
    return render_template("candidates/delete.html", form=form, candidate=candidate)

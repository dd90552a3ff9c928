"""Log in and out, sign up, and reset a forgotten password."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME

from agency.auth import bp
from agency.auth.forms import (
    ClaimAccountForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutEverywhereForm,
    RegisterForm,
    ResetPasswordForm,
)
from agency.extensions import db, limiter
from agency.forms import show_field_error
from agency.models import Role, User
from agency.security import audit_here, client_ip, public, roles_required
from agency.services import accounts, audit
from agency.services.accounts import AccountError, ClinicSignup


def landing_url(user: User) -> str:
    """Each role has its own home page."""
    return role_landing_url(user.role)


def role_landing_url(role: str) -> str:
    homes: dict[str, str] = {
        Role.CANDIDATE: url_for("candidates.dashboard"),
        Role.CLINIC: url_for("clinics.dashboard"),
        Role.STAFF: url_for("staff.dashboard"),
        Role.ADMIN: url_for("staff.dashboard"),
    }
    return homes[role]


def _safe_next(target: str | None) -> str | None:
    """Only a same-site relative path, so a login link cannot bounce users to another site."""
    if not target:
        return None
    # Browsers drop tabs and newlines from a URL (so "/\t/evil.example" means "//evil.example"),
    # and CR or LF in a Location header is refused: judge and send the path without them.
    target = "".join(ch for ch in target if unicodedata.category(ch) != "Cc")
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        return None
    return target


def _login_email_key() -> str:
    return (request.form.get("email") or "").strip().lower()[:254] or client_ip()


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _start_session(user: User, remember: bool) -> None:
    # A fresh session on login defeats session fixation.
    session.clear()
    # Staff accounts never get a remember-me cookie: shared front-desk computers.
    login_user(user, remember=remember and not user.is_staff)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_ip)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key)
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record(
                "login_failed",
                ip=client_ip(),
                details={"email": accounts.normalise_email(form.email.data)[:254]},
            )
            db.session.commit()
            # One message whether or not the e-mail exists, so accounts cannot be probed.
            form.password.errors.append("E-mail or password is not right.")
            return render_template("auth/login.html", form=form), 200
        _start_session(user, bool(form.remember.data))
        audit.record(
            "login", actor_id=user.id, object_type="user", object_id=user.id, ip=client_ip()
        )
        db.session.commit()
        flash("Welcome back.", "success")
        return redirect(_safe_next(request.args.get("next")) or landing_url(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # A copy of the session or remember-me cookie must not outlive the logout: a new
        # session generation makes every cookie issued before it worthless on the server.
        accounts.end_sessions(current_user)
        audit_here("logout", object_type="user", object_id=current_user.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/logout/everywhere", methods=["POST"])
@roles_required(*(role.value for role in Role))
def logout_everywhere() -> ResponseReturnValue:
    """End every session of this account on every device, and start a fresh one here."""
    form = LogoutEverywhereForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
    accounts.end_sessions(user)
    audit_here("logout_everywhere", object_type="user", object_id=user.id)
    db.session.commit()
    # The same browser goes on under the new generation; its session (and the CSRF secret the
    # forms open in its other tabs were given) is kept.
    login_user(user, remember=remembered and not user.is_staff)
    flash("Every other device is logged out. You are still logged in here.", "success")
    return redirect(_safe_next(request.form.get("next")) or landing_url(user))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=client_ip)
@public
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = RegisterForm()
    if request.method == "GET" and request.args.get("as") == "clinic":
        form.account_type.data = "clinic"
    if form.validate_on_submit():
        if accounts.tell_owner_of_signup(form.email.data):
            db.session.commit()
            # The answer a new address gets (without the session): the owner hears by e-mail.
            _flash_welcome(form.account_type.data)
            return redirect(role_landing_url(form.account_type.data))
        try:
            if form.account_type.data == "clinic":
                user = accounts.register_clinic(
                    form.email.data,
                    form.password.data,
                    ClinicSignup(
                        name=form.clinic_name.data,
                        zip_code=form.zip_code.data,
                        specialty=form.specialty.data or "",
                        phone=form.phone.data or "",
                    ),
                )
            else:
                user = accounts.register_candidate(
                    form.email.data, form.password.data, form.first_name.data, form.last_name.data
                )
        except AccountError as exc:
            db.session.rollback()
            show_field_error(form, exc, "email")
            return render_template("auth/register.html", form=form), 200
        db.session.commit()
        _start_session(user, remember=False)
        _flash_welcome(user.role)
        return redirect(landing_url(user))
    return render_template("auth/register.html", form=form)


def _flash_welcome(role: str) -> None:
    if role == Role.CLINIC:
        flash("Your clinic is registered. Our staff will approve it shortly.", "success")
    else:
        flash("Welcome to ClinicMatch! Complete your profile to get matched.", "success")


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=client_ip)
@public
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            "If an account exists for that e-mail, we have sent a link to reset the password.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=client_ip)
@public
def reset_password(token: str) -> ResponseReturnValue:
    if len(token) > 200 or accounts.user_for_reset_token(token) is None:
        flash("This reset link is invalid or has expired. Ask for a new one.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except AccountError:
            db.session.rollback()
            abort(400)
        db.session.commit()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/claim/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=client_ip)
@public
def claim_account(token: str) -> ResponseReturnValue:
    """The invitation of a record staff entered: set a password, accept the terms, log in."""
    if len(token) > 200 or accounts.claim_token(token) is None:
        flash(
            "This invitation link is invalid or has expired. Ask the agency for a new one.",
            "error",
        )
        return redirect(url_for("auth.login"))
    form = ClaimAccountForm()
    if form.validate_on_submit():
        try:
            user = accounts.claim_account(token, form.password.data)
        except AccountError:
            db.session.rollback()
            abort(400)
        db.session.commit()
        login_user(user)
        flash(
            "Welcome! Your account is ready: check your profile and add what is missing.", "success"
        )
        return redirect(landing_url(user))
    return render_template("auth/claim.html", form=form)

"""The API tokens settings page (every role): create, name, scope and revoke personal tokens.

An ordinary HTML page with CSRF-protected forms: it is the session, not a token, that manages
tokens.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from agency.extensions import db
from agency.forms import BaseForm, choices, show_field_error
from agency.models import Role
from agency.security import client_ip, roles_required
from agency.services import api_tokens
from agency.services.api_tokens import TokenError

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")
EVERYONE = tuple(r.value for r in Role)


class TokenForm(BaseForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the token a name."), Length(max=100)],
        description="What uses it, e.g. “our ATS”.",
    )
    scope = RadioField(
        "Scope",
        choices=choices(
            [("read", "Read only"), ("write", "Read and write (post, edit, give feedback)")]
        ),
        default="read",
        validators=[DataRequired("Choose read or write.")],
    )


class RevokeForm(BaseForm):
    pass


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "api/tokens.html",
            form=form,
            revoke_form=RevokeForm(),
            tokens=api_tokens.tokens_of(current_user),
            new_token=new_token,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def index() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=200 if not form.is_submitted() else 422)
    try:
        _token, raw = api_tokens.create(current_user, form.name.data, form.scope.data, client_ip())
    except TokenError as exc:
        db.session.rollback()
        show_field_error(form, exc, "name")
        return _page(form, status=422)
    db.session.commit()
    # Shown on this response only: the page is not cached (no-store) and the token is not kept.
    return _page(TokenForm(formdata=None), new_token=raw)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@roles_required(*EVERYONE)
def revoke(token_id: int) -> ResponseReturnValue:
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    token = api_tokens.revoke(current_user, token_id, client_ip())
    if token is None:
        abort(404)
    db.session.commit()
    flash(f"The token “{token.name}” is revoked.", "success")
    return redirect(url_for("api_tokens.index"))

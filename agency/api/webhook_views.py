"""The webhooks settings page (clinics and admins): register a URL for events, see each
endpoint's recent deliveries with their response codes, remove it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from agency.extensions import db
from agency.forms import BaseForm, choices, show_field_error
from agency.models import Role
from agency.security import (
    client_ip,
    clinic_manager_required,
    clinic_manager_required_to_write,
    roles_required,
)
from agency.services import webhooks
from agency.services.webhooks import WebhookError

bp = Blueprint("webhooks", __name__, url_prefix="/account/webhooks")
OWNERS = (Role.CLINIC, Role.ADMIN)
EVENT_LABELS = {
    webhooks.SUBMITTAL_CREATED: "A candidate is submitted to us",
    webhooks.STAGE_CHANGED: "An application changes stage",
}


class WebhookForm(BaseForm):
    url = StringField("URL", validators=[DataRequired("Enter the URL to call."), Length(max=500)])
    events = SelectMultipleField(
        "Events",
        choices=choices([(e, EVENT_LABELS[e]) for e in webhooks.EVENTS]),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one event.")],
    )


class RemoveForm(BaseForm):
    pass


def _page(
    form: WebhookForm, new_secret: str | None = None, status: int = 200
) -> ResponseReturnValue:
    endpoints = webhooks.endpoints_of(current_user)
    return (
        render_template(
            "api/webhooks.html",
            form=form,
            remove_form=RemoveForm(),
            endpoints=endpoints,
            log={e.id: webhooks.deliveries(e) for e in endpoints},
            new_secret=new_secret,
            header=webhooks.SIGNATURE_HEADER,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(*OWNERS)
@clinic_manager_required_to_write
def index() -> ResponseReturnValue:
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if form.is_submitted() else 200)
    try:
        endpoint = webhooks.register(current_user, form.url.data, form.events.data, client_ip())
    except WebhookError as exc:
        db.session.rollback()
        show_field_error(form, exc, "url")
        return _page(form, status=422)
    secret = endpoint.secret
    db.session.commit()
    return _page(WebhookForm(formdata=None), new_secret=secret)


@bp.route("/<int:endpoint_id>/remove", methods=["POST"])
@roles_required(*OWNERS)
@clinic_manager_required
def remove(endpoint_id: int) -> ResponseReturnValue:
    if not RemoveForm().validate_on_submit():
        abort(400)
    if not webhooks.remove(current_user, endpoint_id):
        abort(404)
    db.session.commit()
    flash("The webhook is removed.", "success")
    return redirect(url_for("webhooks.index"))

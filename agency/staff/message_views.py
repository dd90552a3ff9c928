"""Staff e-mail to candidates: the message templates (list, create, edit), and sending a
message to one candidate or to a whole pool; each message goes to the person's log."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, choices, show_field_error
from agency.models import STAFF_ROLES, Candidate, MessageTemplate, Opening, TalentPool
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import messages, pools
from agency.services.messages import PLACEHOLDERS, MessageError
from agency.services.staff_queries import lists as list_queries
from agency.services.staff_queries import search as search_queries
from agency.staff import bp
from agency.staff.pool_forms import MessageForm, TemplateForm

OPENINGS_OFFERED = 300


def _template_or_404(template_id: int) -> MessageTemplate:
    template = db.session.get(MessageTemplate, template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/message-templates")
@roles_required(*STAFF_ROLES)
def message_templates() -> ResponseReturnValue:
    return render_template("staff/message_templates.html", templates=messages.all_templates())


def _edit(template: MessageTemplate | None) -> ResponseReturnValue:
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            saved = messages.save_template(
                template,
                form.name.data,
                form.subject.data,
                form.body.data,
                signed_in_user(),
                client_ip(),
            )
        except MessageError as exc:
            db.session.rollback()
            show_field_error(form, exc, "body")
        else:
            db.session.commit()
            flash(f"Template “{saved.name}” saved.", "success")
            return redirect(url_for("staff.message_templates"))
    status = FORM_ERROR_STATUS if form.errors else 200
    return render_template(
        "staff/message_template.html", form=form, template=template, placeholders=PLACEHOLDERS
    ), status


@bp.route("/message-templates/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def message_template_new() -> ResponseReturnValue:
    return _edit(None)


@bp.route("/message-templates/<int:template_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def message_template_edit(template_id: int) -> ResponseReturnValue:
    return _edit(_template_or_404(template_id))


# ---- sending ------------------------------------------------------------------------------


def _message_form(opening_choices: list[tuple[str, str]]) -> MessageForm:
    form = MessageForm()
    form.template_id.choices = choices([("", "No template"), *messages.template_choices()])
    form.opening_id.choices = choices([("", "No opening"), *opening_choices])
    if request.method == "GET" and request.args.get("template", "").isdigit():
        # "Use this template": the form starts from its subject and body, to edit before sending.
        template = db.session.get(MessageTemplate, int(request.args["template"][:10]))
        if template is not None:
            form.template_id.data = str(template.id)
            form.subject.data, form.body.data = template.subject, template.body
    return form


def _send(
    form: MessageForm, people: list[Candidate], pool: TalentPool | None
) -> messages.Outcome | None:
    """Send when the form is valid; None (errors on the form) otherwise."""
    if not form.validate_on_submit():
        return None
    opening = db.session.get(Opening, int(form.opening_id.data)) if form.opening_id.data else None
    template_id = int(form.template_id.data) if form.template_id.data else None
    try:
        outcome = messages.send(
            people,
            form.subject.data,
            form.body.data,
            signed_in_user(),
            opening=opening,
            template_id=template_id,
            pool=pool,
            ip=client_ip(),
        )
    except MessageError as exc:
        db.session.rollback()
        show_field_error(form, exc, "body")
        return None
    db.session.commit()
    return outcome


def _said(outcome: messages.Outcome) -> tuple[str, str]:
    text = f"{outcome.queued} message{'' if outcome.queued == 1 else 's'} queued."
    if outcome.not_sent:
        text += f" {outcome.not_sent} not sent: the person turned e-mail off (see their log)."
    return text, "success" if outcome.queued else "warning"


def _page(form: MessageForm, **context: Any) -> ResponseReturnValue:
    status = FORM_ERROR_STATUS if form.errors else 200
    return render_template(
        "staff/message_send.html",
        form=form,
        placeholders=PLACEHOLDERS,
        templates=messages.all_templates(),
        **context,
    ), status


@bp.route("/candidates/<int:candidate_id>/message", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def candidate_message(candidate_id: int) -> ResponseReturnValue:
    person = db.session.get(Candidate, candidate_id)
    if person is None or person.status == "erased":
        abort(404)
    # The openings the person is in the pipeline for come first; any open one may be named.
    applied = list_queries.applied_openings(person.id)
    form = _message_form(
        [(str(i), t) for i, t in applied] + _open_openings(exclude={i for i, _ in applied})
    )
    outcome = _send(form, [person], None)
    if outcome is not None:
        flash(*_said(outcome))
        return redirect(url_for("staff.candidate", candidate_id=person.id))
    return _page(form, candidate=person, pool=None, recipients=1)


def _open_openings(exclude: set[int] | frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    found = search_queries.opening_list(
        search_queries.OpeningFilters(status="open"), OPENINGS_OFFERED
    )
    return [(str(o.id), o.title) for o in found if o.id not in exclude]


@bp.route("/pools/<int:pool_id>/message", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def pool_message(pool_id: int) -> ResponseReturnValue:
    pool = db.session.get(TalentPool, pool_id)
    if pool is None:
        abort(404)
    people = pools.members(pool.id)
    form = _message_form(_open_openings())
    outcome = _send(form, people, pool)
    if outcome is not None:
        flash(*_said(outcome))
        return redirect(url_for("staff.pool", pool_id=pool.id))
    return _page(form, candidate=None, pool=pool, recipients=len(people))

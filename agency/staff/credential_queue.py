"""The credentials waiting for a staff check: a queue to work through, verify or reject each."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import page_arg
from agency.models import STAFF_ROLES
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import audit, credential_checks
from agency.staff import bp
from agency.staff.forms import VerifyForm


@bp.route("/credentials")
@roles_required(*STAFF_ROLES)
def credential_queue() -> ResponseReturnValue:
    page = credential_checks.awaiting(page_arg())
    audit.record_views(
        (c.candidate_id for c in page.items),
        actor_id=signed_in_user().id,
        page="credential_queue",
        ip=client_ip(),
    )
    # Render before the commit: committing expires the loaded rows (one query each again).
    html = render_template(
        "staff/credential_queue.html",
        page=page,
        verify_form=VerifyForm(formdata=None),
        today=date.today(),
    )
    db.session.commit()
    return html

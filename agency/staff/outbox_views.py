"""Staff pages for background mail: the outbox (failed and dead messages, retry) and sent mail."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import page_arg
from agency.security import audit_here, client_ip, roles_required, signed_in_user
from agency.services import audit, delivery, mail
from agency.services.staff_queries import lists as list_queries
from agency.staff import bp

FILTERS = list_queries.OUTBOX_FILTERS
MAIL_NAME = re.compile(r"^[0-9T]+-[0-9a-f]{8}\.eml$")
MAIL_PAGE_SIZE = 100


@bp.route("/outbox")
@roles_required("staff", "admin")
def outbox() -> ResponseReturnValue:
    shown = request.args.get("show", "failing")
    if shown not in FILTERS:
        shown = "failing"
    # page_arg caps ?page=: a huge number would overflow the database's OFFSET (a 500).
    page = list_queries.outbox_page(shown, page_arg())
    return render_template("staff/outbox.html", page=page, shown=shown, filters=list(FILTERS))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required("staff", "admin")
def outbox_retry(message_id: int) -> ResponseReturnValue:
    if delivery.retry(message_id):
        audit_here("outbox_retried", object_type="outbox_message", object_id=message_id)
        db.session.commit()
        flash(f"Message {message_id} will be sent again shortly.", "success")
    else:
        flash(f"Message {message_id} cannot be retried (it was sent or is being sent).", "error")
    return redirect(url_for("staff.outbox", show=request.args.get("show", "failing")))


def _mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


def _read(path: Path) -> Any:
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)


@bp.route("/mail")
@roles_required("staff", "admin")
def sent_mail() -> ResponseReturnValue:
    directory = _mail_dir()
    paths = (
        sorted(directory.glob("*.eml"), reverse=True)[:MAIL_PAGE_SIZE] if directory.is_dir() else []
    )
    messages = []
    for path in paths[:MAIL_PAGE_SIZE]:
        msg = _read(path)
        messages.append(
            {"name": path.name, "subject": msg["Subject"], "to": msg["To"], "date": msg["Date"]}
        )
    # Whose mail is listed (addresses and subjects are theirs): one audit event per candidate.
    _record_mail_views([str(m["to"] or "") for m in messages], "sent_mail")
    html = render_template(
        "staff/mail.html", messages=messages, smtp=bool(current_app.config.get("MAIL_SERVER"))
    )
    db.session.commit()
    return html


def _record_mail_views(recipients: list[str], page: str) -> None:
    addresses = {addr.lower() for _name, addr in getaddresses(recipients) if addr}
    if not addresses:
        return
    ids = list_queries.candidate_ids_by_email(addresses)
    audit.record_views(ids, actor_id=signed_in_user().id, page=page, ip=client_ip())


@bp.route("/mail/<name>")
@roles_required("staff", "admin")
def sent_mail_message(name: str) -> ResponseReturnValue:
    # Only names the mail writer makes: nothing else in (or outside) the folder can be read.
    path = _mail_dir() / name
    if not MAIL_NAME.match(name) or not path.is_file():
        abort(404)
    msg = _read(path)
    body = msg.get_body(preferencelist=("plain",))
    # Reset and unsubscribe links are the recipient's alone: seen here, a reset link would let
    # staff set an admin's password.
    text = mail.redact_links(body.get_content()) if body is not None else ""
    _record_mail_views([str(msg["To"] or "")], "sent_mail_message")
    html = render_template("staff/mail_message.html", msg=msg, name=name, text=text)
    db.session.commit()
    return html

"""The unsubscribe link in every non-essential e-mail: works without logging in (signed token)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from agency.extensions import csrf, db
from agency.public import bp
from agency.security import public
from agency.services import notifications


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; RFC 8058 one-click POSTs come without a form
@public
def unsubscribe_link(token: str) -> ResponseReturnValue:
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render_template("public/unsubscribe.html", state="invalid"), 404
    user, topic = found
    # GET only asks: mail scanners follow links, and must not unsubscribe anyone.
    if request.method == "GET":
        return render_template("public/unsubscribe.html", state="confirm", topic=topic)
    notifications.unsubscribe(user, topic)
    db.session.commit()
    return render_template("public/unsubscribe.html", state="done", topic=topic)

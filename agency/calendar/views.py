"""`/calendar/<token>.ics` for calendar apps (no login: the secret address is the proof) and
`/account/calendar`, where a user makes or resets that address (shown once: only a hash is kept)."""

from __future__ import annotations

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.calendar import bp
from agency.extensions import db
from agency.forms import BaseForm
from agency.models import Role
from agency.security import client_ip, public, roles_required
from agency.services import audit, calendar_feed

EVERY_ROLE = tuple(r.value for r in Role)


@bp.route("/calendar/<token>.ics")
@public
def feed(token: str) -> ResponseReturnValue:
    user = calendar_feed.user_for_token(token)
    if user is None:
        return Response("Unknown calendar address.\n", 404, mimetype="text/plain")
    body = calendar_feed.feed(user)
    calendar_feed.touch(user)
    db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="clinicmatch.ics"'
    # Personal data: no shared cache keeps it; apps poll, so a few minutes in their own cache.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/account/calendar", methods=["GET", "POST"])
@roles_required(*EVERY_ROLE)
def settings() -> ResponseReturnValue:
    form = BaseForm()
    new_url = None
    if form.validate_on_submit():
        existed = calendar_feed.feed_of(current_user) is not None
        token = calendar_feed.reset(current_user)
        audit.record(
            "calendar_feed_reset" if existed else "calendar_feed_created",
            actor_id=current_user.id,
            object_type="user",
            object_id=current_user.id,
            ip=client_ip(),
        )
        db.session.commit()
        new_url = calendar_feed.feed_url(token)
    return render_template(
        "calendar/settings.html",
        form=form,
        feed=calendar_feed.feed_of(current_user),
        new_url=new_url,
    )

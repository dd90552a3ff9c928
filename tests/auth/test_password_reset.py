"""Password reset: a link by e-mail through the outbox, single use, expiring."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuthToken, OutboxMessage, Role, utcnow
from agency.services import delivery, link_secrets
from tests.conftest import login


def _request_link(client: FlaskClient, email: str) -> str:
    response = client.post("/forgot", data={"email": email})
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.kind == "email" and message.payload["to"] == email
    url = link_secrets.open_context(message.payload["context"])["reset_url"]
    return "/" + url.split("/", 3)[3]


def test_reset_link_changes_password_once(client: FlaskClient, make_user, app) -> None:
    user = make_user(Role.STAFF)
    path = _request_link(client, user.email)
    assert client.get(path).status_code == 200
    new = "a brand new long password"
    response = client.post(path, data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert login(client, user.email, new).status_code == 302
    client.post("/logout")
    # Single use: the same link is now refused.
    again = client.post(path, data={"password": "another long password", "confirm": "x"})
    assert again.status_code == 302 and again.headers["Location"] == "/forgot"
    assert login(client, user.email, new).status_code == 302


def test_expired_link_is_refused(client: FlaskClient, make_user) -> None:
    user = make_user(Role.CANDIDATE)
    path = _request_link(client, user.email)
    token = db.session.execute(db.select(AuthToken)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/forgot"


def test_unknown_email_gets_the_same_answer_and_no_mail(client: FlaskClient) -> None:
    response = client.post("/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert b"If an account exists" in response.data
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_reset_email_is_delivered_with_the_link(client: FlaskClient, make_user, app) -> None:
    user = make_user(Role.CANDIDATE)
    path = _request_link(client, user.email)
    message_id = db.session.execute(db.select(OutboxMessage.id)).scalar_one()
    assert delivery.deliver(message_id) is True
    assert delivery.deliver(message_id) is False  # already sent: never twice
    from pathlib import Path

    files = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_text()
    assert user.email in raw
    assert re.search(re.escape(path.split("/")[-1][:20]), raw.replace("=\n", ""))


def test_password_change_logs_out_other_sessions(app, make_user) -> None:
    user = make_user(Role.STAFF)
    other = app.test_client()
    assert login(other, user.email).status_code == 302
    assert other.get("/staff/").status_code == 200
    mine = app.test_client()
    path = _request_link(mine, user.email)
    new = "a brand new long password"
    mine.post(path, data={"password": new, "confirm": new})
    assert other.get("/staff/").status_code == 302


def test_the_database_never_holds_a_live_reset_link(client: FlaskClient, make_user, app) -> None:
    # Someone who reads the database (a backup, a replica) must not be able to reset a password.
    user = make_user(Role.CANDIDATE)
    path = _request_link(client, user.email)
    token = path.rsplit("/", 1)[1]
    stored = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert token not in json.dumps(stored.payload)
    assert token not in json.dumps([r.token_hash for r in db.session.scalars(db.select(AuthToken))])
    # The link is worked out with the app's secret key: another key gives a link that fails.
    app.config["SECRET_KEY"] = "a-different-secret"
    other = link_secrets.open_context(stored.payload["context"])["reset_url"]
    assert other.rsplit("/", 1)[1] != token
    response = client.get("/" + other.split("/", 3)[3])
    assert response.status_code == 302 and response.headers["Location"] == "/forgot"

"""Ending sessions on the server: after logout, "log out everywhere" or a password change, a copy
of an earlier session cookie or remember-me cookie is worthless, from any address."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, OutboxMessage, Role
from agency.services import link_secrets
from tests.conftest import login
from tests.factories import PASSWORD

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Copier/1.0"}


def _copy(app: Flask, source: FlaskClient, name: str) -> FlaskClient:
    """A second browser holding a copy of one cookie, used from another address and browser."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    thief.environ_base.update(ELSEWHERE)
    return thief


def _logged_in(client: FlaskClient, page: str) -> bool:
    response = client.get(page)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _remembered_login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None


def test_logout_ends_a_copied_session_cookie(app: Flask, make_candidate: Any) -> None:
    user = make_candidate().user
    owner = app.test_client()
    assert login(owner, user.email).status_code == 302
    thief = _copy(app, owner, "session")
    # Another address and browser do not drop the copy by themselves (sessions are permanent,
    # so Flask-Login's "strong" protection only marks them not fresh) ...
    assert _logged_in(thief, "/me")
    owner.post("/logout")
    # ... the logout does, on the server.
    assert not _logged_in(thief, "/me")
    assert not _logged_in(thief, "/me/settings")


def test_logout_ends_a_copied_remember_me_cookie(app: Flask, make_candidate: Any) -> None:
    user = make_candidate().user
    owner = app.test_client()
    _remembered_login(owner, user.email)
    before = _copy(app, owner, "remember_token")
    assert _logged_in(before, "/me")  # a copy alone logs in: it is a credential
    thief = _copy(app, owner, "remember_token")
    owner.post("/logout")
    assert not _logged_in(thief, "/me")
    assert not _logged_in(before, "/me")  # nor does a session it had already started survive


def test_log_out_everywhere_ends_other_sessions_and_keeps_this_one(
    app: Flask, make_candidate: Any
) -> None:
    user = make_candidate().user
    phone, laptop = app.test_client(), app.test_client()
    _remembered_login(phone, user.email)
    assert login(laptop, user.email).status_code == 302
    copied_session = _copy(app, phone, "session")
    copied_remember = _copy(app, phone, "remember_token")

    page = phone.get("/me/settings").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page
    response = phone.post("/logout/everywhere", data={"next": "/me/settings"})
    assert response.status_code == 302 and response.headers["Location"] == "/me/settings"

    assert _logged_in(phone, "/me")  # this browser carries on, with a new cookie
    for other in (laptop, copied_session, copied_remember):
        assert not _logged_in(other, "/me")
    # The phone's new remember-me cookie works; the earlier one (copied above) does not.
    fresh_remember = _copy(app, phone, "remember_token")
    assert _logged_in(fresh_remember, "/me")
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "logout_everywhere" in actions


def test_log_out_everywhere_for_clinics_and_staff(
    app: Flask, make_clinic: Any, make_user: Any
) -> None:
    member = make_clinic().members[0]
    staff = make_user(Role.STAFF)
    for user, page, settings in (
        (member, "/clinic/", "/clinic/profile"),
        (staff, "/staff/", None),
    ):
        here, there = app.test_client(), app.test_client()
        assert login(here, user.email).status_code == 302
        assert login(there, user.email).status_code == 302
        if settings:
            assert 'action="/logout/everywhere"' in here.get(settings).get_data(as_text=True)
        assert here.post("/logout/everywhere").status_code == 302
        assert _logged_in(here, page) and not _logged_in(there, page)


def test_log_out_everywhere_needs_a_csrf_token_and_a_login(app: Flask, make_candidate: Any) -> None:
    user = make_candidate().user
    anonymous = app.test_client()
    response = anonymous.post("/logout/everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    app.config["WTF_CSRF_ENABLED"] = True
    owner, other = app.test_client(), app.test_client()
    page = owner.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    owner.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    page = other.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    other.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert owner.post("/logout/everywhere").status_code == 400  # a foreign page's forged post
    assert _logged_in(other, "/me")


def test_password_reset_ends_copied_remember_me_cookies(app: Flask, make_candidate: Any) -> None:
    user = make_candidate().user
    owner = app.test_client()
    _remembered_login(owner, user.email)
    thief = _copy(app, owner, "remember_token")
    anonymous = app.test_client()
    assert anonymous.post("/forgot", data={"email": user.email}).status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    path = "/" + link_secrets.open_context(message.payload["context"])["reset_url"].split("/", 3)[3]
    new = "a brand new long password"
    assert anonymous.post(path, data={"password": new, "confirm": new}).status_code == 302
    assert not _logged_in(thief, "/me")
    assert not _logged_in(owner, "/me")

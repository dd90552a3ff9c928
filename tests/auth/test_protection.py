"""CSRF, login throttling, session timeouts and hash upgrades."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Role, User
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    return app_config


def test_post_without_csrf_token_is_refused(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert b"form expired" in response.data
    assert client.post("/logout").status_code == 400


def test_post_with_csrf_token_works(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def _token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_login_is_throttled_per_account(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    token = _token(client)
    codes = [
        client.post(
            "/login", data={"email": user.email, "password": "wrong", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # Even the right password waits out the limit.
    blocked = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429


def test_idle_session_expires(app, client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    token = _token(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as sess:
        sess["_last_seen"] = time.time() - 31 * 60
    assert client.get("/staff/").status_code == 302


def test_absolute_session_lifetime(app, client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    token = _token(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    with client.session_transaction() as sess:
        sess["_started"] = time.time() - 13 * 3600
    assert client.get("/staff/").status_code == 302


def test_weak_hash_is_upgraded_on_login(app, client: FlaskClient, make_user) -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(PASSWORD)
    user = make_user(Role.STAFF, password_hash=old)
    app.config["ARGON2_PARAMS"] = {"time_cost": 3, "memory_cost": 19 * 1024, "parallelism": 1}
    token = _token(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    db.session.expire_all()
    refreshed = db.session.get(User, user.id)
    assert refreshed is not None and refreshed.password_hash != old
    assert "t=3" in refreshed.password_hash


def test_session_cookie_flags(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    token = _token(client)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = " ".join(response.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

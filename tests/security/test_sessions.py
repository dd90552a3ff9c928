"""Sessions and passwords: fixation, timeouts, cookie flags, remember-me, the password policy,
argon2id parameters, generic login answers, and login throttling shared through Redis."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency import create_app
from agency.config import build_config
from agency.extensions import limiter
from agency.models import Role
from agency.services import password_policy, passwords
from tests.factories import PASSWORD

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    return app_config


@pytest.fixture
def backend() -> str:
    return "sqlite"  # nothing here depends on the database engine


def _login(client: FlaskClient, email: str, password: str = PASSWORD, **kw: Any) -> Any:
    return client.post("/login", data={"email": email, "password": password}, **kw)


def _visible(response: Any) -> str:
    return response.get_data(as_text=True).split('name="password"')[1]


def test_login_starts_a_new_session(client: FlaskClient, make_user: Any) -> None:
    user = make_user(Role.CANDIDATE)
    with client.session_transaction() as sess:
        sess["planted_by_attacker"] = "fixation"
    before = client.get_cookie("session")
    assert _login(client, user.email).status_code == 302
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess
        # The login is bound to the password's version: a password change ends it.
        assert sess["_user_id"] == f"{user.id}:{user.session_version}"
    assert before is None or client.get_cookie("session").value != before.value


def test_idle_and_absolute_limits(app: Flask, client: FlaskClient, make_candidate: Any) -> None:
    assert app.config["SESSION_IDLE_TIMEOUT"].total_seconds() == 30 * 60
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    user = make_candidate().user
    _login(client, user.email)
    with client.session_transaction() as sess:
        sess["_last_seen"] = time.time() - 29 * 60  # active just under half an hour ago
    assert client.get("/me").status_code == 200
    with client.session_transaction() as sess:
        sess["_started"] = time.time() - 11.9 * 3600
    assert client.get("/me").status_code == 200
    with client.session_transaction() as sess:
        sess["_started"] = time.time() - 12.1 * 3600
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/me").status_code == 302  # and it stays ended


def test_production_cookies_are_secure_httponly_lax(tmp_path: Path) -> None:
    config = build_config(tmp_path, {"CLINICMATCH_ENV": "production", "SECRET_KEY": "x" * 64})
    for prefix in ("SESSION", "REMEMBER"):
        assert config[f"{prefix}_COOKIE_SECURE"] is True
        assert config[f"{prefix}_COOKIE_HTTPONLY"] is True
        assert config[f"{prefix}_COOKIE_SAMESITE"] == "Lax"


def test_production_login_sets_a_secure_cookie(
    app_config: dict[str, Any], app: Flask, make_user: Any
) -> None:
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    user = make_user(Role.CANDIDATE)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2  # the session and the remember-me cookie
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_no_remember_me_for_agency_accounts(
    client: FlaskClient, make_user: Any, role: Role
) -> None:
    user = make_user(role)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert not any("remember_token" in c for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize(
    ("length", "ok"), [(11, False), (12, True), (64, True), (128, True), (129, False)]
)
def test_password_length_12_to_128(client: FlaskClient, length: int, ok: bool) -> None:
    password = ("Tulip-river-42/" * 10)[:length]
    assert (password_policy.problems(password) == []) is ok
    response = client.post(
        "/register",
        data={
            "account_type": "candidate",
            "email": f"len{length}@example.com",
            "first_name": "Len",
            "last_name": "Gth",
            "password": password,
            "confirm": password,
            "accept_terms": "y",
        },
    )
    assert (response.status_code == 302) is ok


def test_common_breached_passwords_are_shipped_and_refused() -> None:
    common = password_policy.common_passwords()
    assert len(common) >= 1000, "the shipped list of common passwords is missing or short"
    long_common = sorted(p for p in common if 12 <= len(p) <= 128)
    assert long_common, "the list must include passwords long enough to pass the length rule"
    for password in long_common[:50]:
        assert any("too common" in p for p in password_policy.problems(password)), password
    assert password_policy.problems(long_common[0].upper())  # case does not help


def test_argon2id_at_least_owasp_minimum(app: Flask) -> None:
    app.config.pop("ARGON2_PARAMS", None)  # the production default
    hasher = passwords.hasher()
    assert hasher.type.name == "ID"
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024 and hasher.parallelism >= 1
    assert passwords.hash_password("x" * 12).startswith("$argon2id$")
    app.config["ARGON2_PARAMS"] = {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1}
    with pytest.raises(ValueError, match="OWASP"):
        passwords.hasher()


def test_login_answer_does_not_reveal_whether_the_email_exists(
    client: FlaskClient, make_user: Any
) -> None:
    user = make_user(Role.CANDIDATE)
    known = _login(client, user.email, "wrong password here")
    unknown = _login(client, "nobody-here@example.com", "wrong password here")
    assert known.status_code == unknown.status_code == 200
    assert "E-mail or password is not right." in known.get_data(as_text=True)
    assert _visible(known) == _visible(unknown)
    # The reset form answers the same way too.
    a = client.post("/forgot", data={"email": user.email}, follow_redirects=True)
    b = client.post("/forgot", data={"email": "nobody-here@example.com"}, follow_redirects=True)
    assert a.get_data(as_text=True) == b.get_data(as_text=True)


def test_login_is_throttled_per_address(client: FlaskClient) -> None:
    codes = [
        _login(client, f"probe{n}@example.com", "wrong password here").status_code for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_login_is_throttled_per_account_across_addresses(
    client: FlaskClient, make_user: Any
) -> None:
    user = make_user(Role.CANDIDATE)
    codes = [
        _login(
            client, user.email, "wrong password here", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_limiter_storage_is_redis_when_redis_url_is_set(tmp_path: Path) -> None:
    config = build_config(tmp_path, {"REDIS_URL": REDIS_URL})
    assert config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert build_config(tmp_path, {})["RATELIMIT_STORAGE_URI"] == "memory://"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")


def test_workers_share_the_login_limit_through_redis(
    app_config: dict[str, Any], app: Flask, make_user: Any
) -> None:
    """Two app instances (as two gunicorn workers) count the same login attempts."""
    _redis_or_skip()
    prefix = f"clinicmatch-test-{uuid.uuid4().hex}"
    config = {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    user = make_user(Role.CANDIDATE)
    try:
        worker_1 = create_app(config)
        codes = [_login(worker_1.test_client(), user.email, "wrong!").status_code for _ in range(2)]
        assert type(limiter.storage).__name__.lower().startswith("redis")
        worker_2 = create_app(config)  # a fresh process would start with empty memory
        codes += [
            _login(worker_2.test_client(), user.email, "wrong!").status_code for _ in range(2)
        ]
        assert codes == [200, 200, 200, 429]
    finally:
        import redis

        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        server.close()

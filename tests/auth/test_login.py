"""Logging in and out: each role lands on its own dashboard, and bad logins learn nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Role
from tests.conftest import login
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.CANDIDATE, "/me"),
        (Role.CLINIC, "/clinic/"),
        (Role.STAFF, "/staff/"),
        (Role.ADMIN, "/staff/"),
    ],
)
def test_each_role_lands_on_its_dashboard(
    client: FlaskClient, make_user, make_clinic, make_candidate, role: Role, landing: str
) -> None:
    if role is Role.CANDIDATE:
        user = make_candidate().user
    elif role is Role.CLINIC:
        user = make_clinic().members[0]
    else:
        user = make_user(role)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    page = client.get(landing)
    assert page.status_code == 200


def test_wrong_password_is_refused_with_a_generic_message(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    wrong = login(client, user.email, "not the right password")
    unknown = login(client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    assert b"E-mail or password is not right." in wrong.data
    assert b"E-mail or password is not right." in unknown.data
    assert client.get("/staff/").status_code == 302  # still anonymous
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("login_failed") == 2


def test_email_is_case_insensitive(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF, email="pat.staff@example.com")
    assert login(client, "  Pat.Staff@Example.COM ").status_code == 302
    assert client.get("/staff/").status_code == 200
    assert user.id


def test_login_keeps_the_email_typed(client: FlaskClient) -> None:
    response = login(client, "someone@example.com", "x")
    assert b'value="someone@example.com"' in response.data


def test_logout_ends_the_session(client: FlaskClient, make_user, login_as) -> None:
    login_as(make_user(Role.STAFF))
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    for path in ("/staff/", "/clinic/", "/me"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_wrong_role_gets_403_and_is_audited(client: FlaskClient, make_candidate, login_as) -> None:
    login_as(make_candidate().user)
    assert client.get("/staff/").status_code == 403
    assert client.get("/clinic/").status_code == 403
    denied = (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "access_denied"))
        .scalars()
        .all()
    )
    assert len(denied) == 2


def test_next_parameter_only_allows_local_paths(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    response = client.post(
        "/login?next=//evil.example.com/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff/"


def test_staff_never_get_a_remember_cookie(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert "remember_token" not in response.headers.get("Set-Cookie", "")


def test_candidates_may_be_remembered(client: FlaskClient, make_candidate) -> None:
    user = make_candidate().user
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "remember_token" in cookies
    assert "HttpOnly" in cookies


def test_inactive_account_cannot_log_in(client: FlaskClient, make_user) -> None:
    user = make_user(Role.STAFF, active=False)
    response = login(client, user.email)
    assert response.status_code == 200
    assert b"E-mail or password is not right." in response.data

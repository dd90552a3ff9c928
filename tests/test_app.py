"""The app boots, serves its public pages and reports its health."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_home_jobs_login_render(client: FlaskClient) -> None:
    for path in ("/", "/jobs", "/login", "/register"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"ClinicMatch" in response.data


def test_healthz_reports_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"]["ok"] is True
    assert set(body) >= {"status", "database", "broker"}


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"ClinicMatch" in response.data


def test_an_id_no_row_can_have_is_a_missing_row(app) -> None:
    # Ids come from URLs and forms: past 32 bits the driver would raise instead of finding nothing.
    from agency.extensions import db
    from agency.models import MessageTemplate, User

    for huge in (2**31, -(2**31) - 1, 10**30):
        assert db.session.get(User, huge) is None
        assert db.session.get(MessageTemplate, huge) is None


def test_a_huge_template_id_in_the_message_page_is_ignored(
    client, make_user, make_candidate, login_as
) -> None:
    login_as(make_user("staff"))
    candidate = make_candidate()
    response = client.get(f"/staff/candidates/{candidate.id}/message?template=2147483648")
    assert response.status_code == 200

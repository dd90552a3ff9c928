"""Who may open what: anonymous users, clinics, staff, and other candidates."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Role
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import make_pdf

ME_PAGES = [
    "/me",
    "/me/profile",
    "/me/skills",
    "/me/credentials",
    "/me/resume",
    "/me/settings",
    "/me/delete",
    "/me/self-identification",
    "/me/human-review",
]
ME_POSTS = [
    "/me/profile",
    "/me/skills",
    "/me/credentials",
    "/me/resume",
    "/me/resume/suggestions",
    "/me/resume/delete",
    "/me/settings",
    "/me/export",
    "/me/delete",
    "/me/self-identification",
    "/me/self-identification/remove",
    "/me/human-review",
]


def test_every_candidate_route_declares_its_roles(app: Flask) -> None:
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("candidates."):
            roles = getattr(view, "allowed_roles", "missing")
            assert roles != "missing" and roles is not None, endpoint
            assert "clinic" not in roles, endpoint


def test_anonymous_users_are_sent_to_login(client: FlaskClient, candidate) -> None:
    for path in ME_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in ME_POSTS:
        assert client.post(path).status_code == 302, path
    assert client.get(f"/files/resumes/{candidate.id}").status_code == 302


@pytest.fixture
def candidate_with_files(client: FlaskClient, candidate, login_as) -> Any:
    login_as(candidate.user)
    client.post("/me/resume", **multipart({"resume": upload(make_pdf("cv"), "cv.pdf")}))
    client.post("/logout")
    db.session.expire_all()
    return candidate


def test_clinics_see_no_candidate_page_and_no_file(
    client: FlaskClient, candidate_with_files, make_clinic, login_as
) -> None:
    login_as(make_clinic().members[0])
    for path in ME_PAGES:
        assert client.get(path).status_code == 403, path
    assert client.get(f"/files/resumes/{candidate_with_files.id}").status_code == 403
    assert client.get("/files/credentials/1").status_code == 403


def test_staff_download_files_with_an_audit_event(
    client: FlaskClient, candidate_with_files, make_user, make_credential, login_as
) -> None:
    cred = make_credential(candidate_with_files, "CMAA")
    login_as(make_user(Role.STAFF))
    assert client.get("/me").status_code == 403  # staff have their own pages
    response = client.get(f"/files/resumes/{candidate_with_files.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == "attachment; filename=cv.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/files/credentials/{cred.id}").status_code == 404  # no document
    assert client.get("/files/resumes/424242").status_code == 404
    events = (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "resume_downloaded"))
        .scalars()
        .all()
    )
    assert [e.object_id for e in events] == [candidate_with_files.id]


def test_another_candidates_resume_is_404(
    client: FlaskClient, candidate_with_files, make_candidate, login_as
) -> None:
    other = make_candidate()
    login_as(other.user)
    assert client.get(f"/files/resumes/{candidate_with_files.id}").status_code == 404
    assert client.get(f"/files/resumes/{other.id}").status_code == 404  # has none


@pytest.mark.parametrize(
    "path",
    [
        "/me/applications/0",
        "/me/applications/2147483648",
        "/me/applications/99999999999999999999999999",
        "/files/credentials/99999999999999999999999999",
        "/me/credentials/-1/edit",
        "/me/apply/abc",
    ],
)
def test_impossible_ids_are_404(client: FlaskClient, signed_in, path: str) -> None:
    assert client.get(path).status_code == 404


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_forms_without_token_are_refused(
        self, client: FlaskClient, candidate, make_credential
    ) -> None:
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        from tests.factories import PASSWORD

        client.post(
            "/login",
            data={"email": candidate.user.email, "password": PASSWORD, "csrf_token": token},
        )
        make_credential(candidate, "CMAA")
        for path in ("/me/profile", "/me/export", "/me/resume/delete", "/me/settings"):
            assert client.post(path, data={}).status_code == 400, path
        html = client.get("/me/credentials").get_data(as_text=True)
        delete_form = html.split('/delete"')[1].split("</form>")[0]
        assert 'name="csrf_token"' in delete_form  # button-only forms carry the token

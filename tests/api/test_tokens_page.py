"""The API tokens settings page: create (shown once, only a hash kept), scope, revoke; the docs
page and the description are served from this site alone."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import ApiToken, Role


def _created_token(html: str) -> str:
    found = re.search(r"data-new-token>(cm_[\w-]+)<", html)
    assert found, html[:2000]
    return found.group(1)


def test_user_creates_uses_and_revokes_a_token(
    client: FlaskClient, make_clinic: Any, login_as: Any
) -> None:
    member = make_clinic().members[0]
    login_as(member)
    page = client.post("/account/api-tokens/", data={"name": "Our ATS", "scope": "read"})
    assert page.status_code == 200
    raw = _created_token(page.get_data(as_text=True))
    row = db.session.scalars(db.select(ApiToken)).one()
    # Only the hash is kept, and the page that showed the token is never cached.
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in repr(row)
    assert (row.name, row.scope, row.user_id) == ("Our ATS", "read", member.id)
    assert page.headers["Cache-Control"] == "no-store"
    # Shown once: the list afterwards has its prefix, never the whole token.
    listing = client.get("/account/api-tokens/").get_data(as_text=True)
    assert raw not in listing and row.prefix in listing
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/submittals", headers=headers).status_code == 200
    assert client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/submittals", headers=headers).status_code == 401


def test_name_is_required_and_foreign_tokens_cannot_be_revoked(
    client: FlaskClient, make_user: Any, login_as: Any
) -> None:
    from agency.services import api_tokens

    owner, other = make_user(Role.STAFF), make_user(Role.CANDIDATE)
    token, _raw = api_tokens.create(owner, "payroll", "write")
    db.session.commit()
    login_as(other)
    empty = client.post("/account/api-tokens/", data={"name": "", "scope": "write"})
    assert empty.status_code == 422 and "Give the token a name." in empty.get_data(as_text=True)
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_docs_page_and_description_work_offline(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/submittals/{application_id}/feedback" in spec["paths"]
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
    html = client.get("/api/v1/docs/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for asset in (s for s in sources if "/assets/" in s):
        response = client.get(asset)
        assert response.status_code == 200 and response.content_length
        response.close()
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_unknown_api_path_and_method_answer_problems(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/openings")
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    assert "GET" in wrong.headers["Allow"]
    garbage = client.post(
        "/api/v1/openings",
        data=b"{not json",
        content_type="application/json",
        headers={"Authorization": "Bearer nonsense"},
    )
    assert garbage.status_code == 401

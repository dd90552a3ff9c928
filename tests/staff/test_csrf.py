"""With CSRF protection on (as in production), staff actions without a token are refused."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Application, ImportJob, OutboxMessage, Role
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_actions_need_a_csrf_token(client: Any, make_user: Any, scene: Any) -> None:
    user = make_user(Role.STAFF)
    token = _token(client.get("/login").get_data(as_text=True))
    login = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 302
    url = f"/staff/openings/{scene.opening.id}/act"
    data = {"candidate_ids": [scene.near.id], "action": "shortlist"}
    assert client.post(url, data=data).status_code == 400
    assert client.post("/staff/engine/retrain").status_code == 400
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
    # The page's own token works.
    token = _token(client.get(f"/staff/openings/{scene.opening.id}").get_data(as_text=True))
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 302
    stage = db.session.execute(
        db.select(Application.stage).where(Application.candidate_id == scene.near.id)
    ).scalar_one()
    assert stage == "shortlisted"


def test_an_import_is_checked_for_its_token_after_its_larger_cap_is_set(
    client: Any, make_user: Any
) -> None:
    # The import page is exempt from the app-wide check only to raise its body cap first; it
    # checks the token itself. The rest of the site keeps the smaller cap.
    client.application.config["MAX_CONTENT_LENGTH"] = 4000
    user = make_user(Role.STAFF)
    token = _token(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    rows = "first_name,last_name,email\n" + "".join(
        f"Ana{i},Lee,ana{i}@example.com\n" for i in range(200)
    )
    assert len(rows) > 4000

    def post(url: str, **extra: str) -> int:
        data = {"kind": "candidates", "file": (io.BytesIO(rows.encode()), "people.csv"), **extra}
        return client.post(url, data=data, content_type="multipart/form-data").status_code

    assert post("/staff/import") == 400
    assert db.session.scalar(db.select(db.func.count(ImportJob.id))) == 0
    token = _token(client.get("/staff/import").get_data(as_text=True))
    assert post("/staff/import", csrf_token=token) == 302
    assert db.session.scalar(db.select(db.func.count(ImportJob.id))) == 1
    assert post("/staff/engine/retrain", csrf_token=token) == 413

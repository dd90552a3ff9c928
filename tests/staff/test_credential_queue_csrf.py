"""With CSRF protection on (as in production), a credential check needs the page's token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Credential, Role
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_verifying_from_the_queue_needs_the_csrf_token(
    client: Any, make_user: Any, make_candidate: Any, make_credential: Any, taxonomy: Any
) -> None:
    pending = make_credential(make_candidate(), "BLS", verification_status="pending")
    user = make_user(Role.STAFF)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token[1]})
    url = f"/staff/credentials/{pending.id}/verify"
    assert client.post(url, data={"outcome": "verified", "back": "queue"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Credential, pending.id).verification_status == "pending"
    page = client.get("/staff/credentials").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    ok = client.post(url, data={"outcome": "verified", "back": "queue", "csrf_token": token[1]})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Credential, pending.id).verification_status == "verified"

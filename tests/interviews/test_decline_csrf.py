"""With CSRF protection on (as in production), declining needs the page's token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from agency.extensions import db
from agency.models import Interview, InterviewStatus
from tests.factories import PASSWORD
from tests.interviews.conftest import Scene, propose

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_declining_needs_the_csrf_token(app: Flask, scene: Scene) -> None:
    interview = propose(scene)
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))
    assert token
    email = scene.candidate_user.email
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token[1]})
    url = f"/me/interviews/{interview.id}/decline"
    assert client.post(url, data={"note": "no"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.PROPOSED
    token = TOKEN.search(client.get("/me/interviews").get_data(as_text=True))
    assert token
    assert client.post(url, data={"note": "no", "csrf_token": token[1]}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.DECLINED

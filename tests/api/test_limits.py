"""Per-token rate limits: one token's burst does not throttle another's."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from agency.models import Role
from tests.api.conftest import bearer


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["API_RATE_LIMIT"] = "3 per minute"
    return app_config


def test_each_token_has_its_own_limit(client: FlaskClient, make_user: Any) -> None:
    user = make_user(Role.STAFF)
    first, second = bearer(user, "read"), bearer(user, "read")
    codes = [client.get("/api/v1/openings", headers=first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/openings", headers=first)
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/openings", headers=second).status_code == 200

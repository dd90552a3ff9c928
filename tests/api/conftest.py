"""API fixtures: personal tokens made by the same service the settings page uses."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import User
from agency.services import api_tokens


def bearer(user: User, scope: str = "write") -> dict[str, str]:
    """Headers that authenticate as `user` with a new token of this scope."""
    _token, raw = api_tokens.create(user, f"test {scope}", scope)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token_for() -> Any:
    return bearer

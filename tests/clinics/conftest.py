"""Helpers for the clinic tests: a clinic member logged in, and candidates at each stage."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import Role
from agency.services import pipeline


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user(Role.STAFF)


@pytest.fixture
def submit(staff: Any) -> Any:
    """Put a candidate in front of the clinic the way staff do: source, then submit."""

    def _submit(candidate: Any, opening: Any, *then: tuple[str, Any]) -> Any:
        application = pipeline.source(candidate, opening, staff)
        pipeline.move(application, "submitted", staff)
        for stage, actor in then:
            pipeline.move(application, stage, actor or staff, reason="Not a fit")
        db.session.commit()
        return application

    return _submit

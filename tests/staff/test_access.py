"""Staff-only: anonymous users go to the login page, other roles get 403; CSRF is enforced."""

from __future__ import annotations

from typing import Any

import pytest

from agency.models import Role

GETS = [
    "/staff/",
    "/staff/openings",
    "/staff/openings/1",
    "/staff/candidates",
    "/staff/candidates/1",
    "/staff/pipeline",
    "/staff/applications/1",
    "/staff/batch",
    "/staff/batch/proposal?opening=1",
    "/staff/engine",
    "/staff/clinics",
    "/staff/admin/audit",
    "/staff/admin/staff",
    "/staff/human-reviews",
    "/staff/admin/bias-audit",
    "/staff/admin/bias-audit.csv",
]
POSTS = [
    "/staff/openings/1/act",
    "/staff/applications/1/move",
    "/staff/applications/1/notes",
    "/staff/candidates/1/notes",
    "/staff/credentials/1/verify",
    "/staff/batch/accept",
    "/staff/engine/retrain",
    "/staff/clinics/1/approve",
    "/staff/admin/staff",
    "/staff/admin/staff/1/active",
    "/staff/human-reviews/1/move",
]


def test_anonymous_is_sent_to_login(client: Any) -> None:
    for path in GETS:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in POSTS:
        assert client.post(path).status_code in (302, 400), path


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CLINIC])
def test_other_roles_get_403(client: Any, make_user: Any, login_as: Any, role: Role) -> None:
    login_as(make_user(role))
    for path in GETS:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        assert client.post(path).status_code == 403, path

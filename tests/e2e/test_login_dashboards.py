"""Each role logs in through the real login page and sees its own dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from agency.models import Role
from tests.e2e.browser import log_in


@pytest.mark.parametrize(
    ("role", "path", "heading"),
    [
        ("candidate", "/me", "Hello, Maria"),
        ("clinic", "/clinic/", "Riverside Family Practice"),
        ("staff", "/staff/", "Agency dashboard"),
    ],
)
def test_role_logs_in_and_sees_dashboard(
    page: Any,
    shot: Any,
    make_candidate,
    make_clinic,
    make_user,
    role: str,
    path: str,
    heading: str,
) -> None:
    if role == "candidate":
        email = make_candidate().user.email
    elif role == "clinic":
        email = make_clinic().members[0].email
    else:
        email = make_user(Role.STAFF).email
    page.goto("/")
    shot("home")
    log_in(page, email)
    page.wait_for_url(f"**{path}")
    assert heading in page.locator("h1").first.inner_text()
    shot("dashboard")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_wrong_password_shows_an_error_next_to_the_field(page: Any, shot: Any, make_user) -> None:
    user = make_user(Role.STAFF)
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("definitely wrong")
    page.get_by_role("button", name="Log in").click()
    # The click returns before the POST's answer is painted: wait for it, don't sample.
    expect(page.get_by_text("E-mail or password is not right.")).to_be_visible()
    assert page.get_by_label("E-mail").input_value() == user.email
    shot("wrong-password")

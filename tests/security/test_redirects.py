"""The login's `next` leads only to a same-site path: never off-site, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from agency.models import Role
from tests.factories import PASSWORD

OFF_SITE = [
    "/%09/evil.example/",  # a browser drops the tab: //evil.example/
    "/%0a/evil.example/",
    "/%0d/evil.example/",
    "%09//evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "%01//evil.example",
    "/%7f/evil.example",
    "evil.example",
]


@pytest.fixture
def backend() -> str:
    return "sqlite"  # nothing here depends on the database engine


def _login(app: Flask, user: Any, next_value: str) -> Any:
    client = app.test_client()
    return client.post(
        f"/login?next={next_value}", data={"email": user.email, "password": PASSWORD}
    )


@pytest.mark.parametrize("next_value", OFF_SITE)
def test_next_never_leads_off_site(app: Flask, make_user: Any, next_value: str) -> None:
    response = _login(app, make_user(Role.CANDIDATE), next_value)
    assert response.status_code == 302
    location = response.headers["Location"]
    # What a browser makes of the header: it drops tabs and newlines before reading it.
    seen = "".join(ch for ch in location if ch not in "\t\r\n")
    assert not urlsplit(seen).netloc and not seen.startswith(("//", "/\\")), location
    assert location == "/me"


@pytest.mark.parametrize(
    "next_value", ["/me%0d%0aSet-Cookie:%20x=1", "/me%0aLocation:%20https://evil.example", "%0d%0a"]
)
def test_next_with_line_breaks_is_no_server_error(
    app: Flask, make_user: Any, next_value: str
) -> None:
    response = _login(app, make_user(Role.CANDIDATE), next_value)
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert "x=1" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_same_site_paths_are_kept(app: Flask, make_user: Any) -> None:
    response = _login(app, make_user(Role.CANDIDATE), "/me/profile%3Ftab%3D2")
    assert response.headers["Location"] == "/me/profile?tab=2"
    response = _login(app, make_user(Role.CANDIDATE), "/me/%09profile")
    assert response.headers["Location"] == "/me/profile"

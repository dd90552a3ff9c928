"""The security contact is a setting (SECURITY_CONTACT), published where people look for it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from agency import ROOT
from agency.config import build_config


@pytest.fixture
def backend() -> str:
    return "sqlite"  # nothing here depends on the database engine


def test_contact_comes_from_the_environment(tmp_path: Path) -> None:
    assert build_config(tmp_path, {})["SECURITY_CONTACT"] == "security@clinicmatch.local"
    set_here = build_config(tmp_path, {"SECURITY_CONTACT": "psirt@agency.example.org"})
    assert set_here["SECURITY_CONTACT"] == "psirt@agency.example.org"


@pytest.mark.parametrize(
    ("contact", "published"),
    [
        ("psirt@agency.example.org", "mailto:psirt@agency.example.org"),
        ("https://agency.example.org/report", "https://agency.example.org/report"),
    ],
)
def test_security_txt_publishes_the_contact(
    app_config: dict[str, Any], contact: str, published: str
) -> None:
    from agency import create_app

    app = create_app({**app_config, "SECURITY_CONTACT": contact})
    client = app.test_client()
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.get_data(as_text=True).splitlines())
    assert fields["Contact"] == published
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires > datetime.now(UTC)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/.well-known/security.txt"' in home


def test_security_md_names_the_setting_not_a_placeholder(app: Flask) -> None:
    text = (ROOT / "SECURITY.md").read_text()
    assert "clinicmatch.example" not in text
    assert "SECURITY_CONTACT" in text and "/.well-known/security.txt" in text

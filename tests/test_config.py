"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

from agency.config import build_config


def test_email_links_follow_port_when_no_public_base_url(tmp_path: Path) -> None:
    config = build_config(tmp_path, {"SECRET_KEY": "x", "PORT": "5123"})
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5123"
    assert build_config(tmp_path, {"SECRET_KEY": "x"})["PUBLIC_BASE_URL"] == (
        "http://127.0.0.1:5000"
    )


def test_public_base_url_wins_over_port(tmp_path: Path) -> None:
    env = {"SECRET_KEY": "x", "PORT": "5123", "PUBLIC_BASE_URL": "https://jobs.example.org"}
    assert build_config(tmp_path, env)["PUBLIC_BASE_URL"] == "https://jobs.example.org"


def test_the_country_is_the_us_unless_set_and_must_be_one_we_know(tmp_path: Path) -> None:
    import pytest

    from agency.config import ConfigError

    assert build_config(tmp_path, {"SECRET_KEY": "x"})["COUNTRY"] == "US"
    assert build_config(tmp_path, {"SECRET_KEY": "x", "COUNTRY": "gb"})["COUNTRY"] == "GB"
    with pytest.raises(ConfigError, match="COUNTRY"):
        build_config(tmp_path, {"SECRET_KEY": "x", "COUNTRY": "Narnia"})

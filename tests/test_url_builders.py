"""The tests share werkzeug's compiled URL builders between apps (tests/url_builders.py): every
rule of a second app must build the URLs that werkzeug's own compile builds for it."""

from __future__ import annotations

from pathlib import Path

from agency import create_app
from tests import url_builders
from tests.conftest import base_config


def test_shared_url_builders_build_what_a_fresh_compile_builds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unused.sqlite'}"
    create_app(base_config(tmp_path / "first", url))  # fills the cache
    app = create_app(base_config(tmp_path / "second", url))
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        values = {name: "7" for name in rule.arguments}
        for append_unknown in (False, True):
            shared = url_builders._cached_compile(rule, append_unknown)
            fresh = url_builders.fresh_compile(rule, append_unknown)
            assert shared is not fresh
            extra = {"page": "2"} if append_unknown else {}
            assert shared(rule, **values, **extra) == fresh(rule, **values, **extra), rule.rule
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="app.css") == "/static/app.css"

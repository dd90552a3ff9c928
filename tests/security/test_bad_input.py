"""Bad input the outside probe sent, tried on every form and route (fixed once, in the base form
and the URL converter): a file part under a text field's name, NUL bytes in any text field, and
ids past 64 bits. Never a 500; a refused request leaves the database as it was."""

from __future__ import annotations

import io
import os
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from agency.forms import NUL_MESSAGE
from tests.security.conftest import endpoints, fingerprint
from tests.security.crawl import PERSONAS, Sweep, crawl, start_sweep
from tests.security.test_fuzz import _filled, _owns, _refused

# The sweep starts again from fresh rows with the same ids after a request that may write
# (TRUNCATE ... RESTART IDENTITY): real commits.
pytestmark = pytest.mark.commits

NOT_TEXT = {"file", "button", "submit", "checkbox", "radio", "select"}
TYPED_TEXT = {"text", "textarea", "email", "search", "tel", "url", "password"}
HUGE_ID = "9223372036854775808"  # 2**63: one past the largest BIGINT


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RATELIMIT_ENABLED"] = False  # hundreds of posts, logins among them
    return app_config


@pytest.fixture
def backend() -> str:
    # PostgreSQL is the one that refuses NUL in text and numbers past 64 bits.
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


def _post(sweep: Sweep, form: Any, data: dict[str, Any], label: str) -> Any:
    before = fingerprint()
    response = sweep.client.post(form.action, data=data, content_type="multipart/form-data")
    assert response.status_code < 500, label
    if _refused(response):
        assert fingerprint() == before, f"refused ({response.status_code}) but wrote: {label}"
    elif fingerprint() != before:
        sweep.dirty = True
    return response


def _my_post_forms(app: Flask, persona: str) -> tuple[Sweep, list[Any]]:
    sweep = start_sweep(app, persona)
    forms, _queries = crawl(app, sweep)
    mine = [f for f in forms.values() if f.method == "POST" and _owns(app, persona, f)]
    return sweep, sorted(mine, key=lambda f: f.key())


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_a_file_part_in_any_text_field_is_no_server_error(app: Flask, persona: str) -> None:
    """The probe's TypeError in 13 forms: every field of every form gets a file part."""
    sweep, forms = _my_post_forms(app, persona)
    tried = 0
    for form in forms:
        for field in form.fields:
            if field.kind in NOT_TEXT or field.name == "csrf_token":
                continue
            sweep.restart()
            data: dict[str, Any] = _filled(form, persona)
            data[field.name] = (io.BytesIO(b"%PDF-1.4 not text"), "part.pdf")
            _post(sweep, form, data, f"{form.action} {field.name}=<file>")
            tried += 1
    assert tried, f"{persona} has no text field to try"


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_nul_in_any_text_field_is_refused_next_to_the_field(app: Flask, persona: str) -> None:
    sweep, forms = _my_post_forms(app, persona)
    shown = 0
    for form in forms:
        for field in form.fields:
            if field.kind not in TYPED_TEXT:
                continue
            sweep.restart()
            data: dict[str, Any] = _filled(form, persona)
            data[field.name] = ["Maria\x00Lopez"]
            label = f"{form.action} {field.name}=NUL"
            response = _post(sweep, form, data, label)
            assert _refused(response) or response.status_code == 302, label
            if response.status_code == 302:
                # Forms that answer with a redirect must not have taken the NUL in.
                assert not sweep.dirty, f"accepted a NUL: {label}"
                continue
            body = response.get_data(as_text=True)
            if response.status_code == 200:
                assert NUL_MESSAGE in body, f"no message next to the field: {label}"
                shown += 1
    if persona in ("anonymous", "candidate_b", "clinic_y"):
        # (staff forms on list pages answer with a redirect and a flashed error)
        assert shown, f"no {persona} form showed the NUL message"


def _huge_paths(app: Flask) -> list[tuple[str, str]]:
    paths = []
    for _endpoint, rule, methods in endpoints(app):
        ints = [
            name
            for name, converter in rule._converters.items()
            if type(converter).__name__ == "DatabaseIdConverter"
        ]
        if not ints:
            continue
        path = rule.rule
        for name in rule.arguments:
            value = HUGE_ID if name in ints else "x"
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
        paths += [(method, path) for method in sorted(methods)]
    return paths


@pytest.mark.parametrize("persona", ["anonymous", "candidate_b", "clinic_y", "admin"])
def test_ids_past_64_bits_are_404_everywhere(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    paths = _huge_paths(app)
    assert any("/staff/outbox/" in p for _m, p in paths)
    for method, path in paths:
        response = sweep.client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)


def test_the_largest_id_is_an_ordinary_miss(app: Flask) -> None:
    sweep = start_sweep(app, "admin")
    for method, path in _huge_paths(app):
        if method != "GET":
            continue
        response = sweep.client.get(path.replace(HUGE_ID, str(2**63 - 1)))
        assert response.status_code < 500, path
        assert urlsplit(path).path  # every such route was reached with a valid id

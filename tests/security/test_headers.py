"""Security headers on every page type (each persona's pages, errors, files, JSON, static), HSTS in
production only, and no inline script, style or event handler that the CSP would have to allow."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from agency.security import public
from tests.security.crawl import PERSONAS, pages, start_sweep

INLINE = [
    # JSON-LD is a data block the browser never runs (and `tojson` escapes "<" inside it).
    (
        re.compile(r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>', re.I),
        "inline <script>",
    ),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "on*= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.fixture
def backend() -> str:
    return "sqlite"


def assert_security_headers(response: Any, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    assert "Strict-Transport-Security" not in headers, f"HSTS outside production: {where}"


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern, what in INLINE:
        found = pattern.search(html)
        assert found is None, f"{what} on {where}: {found.group(0)[:80] if found else ''}"


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_of_every_persona(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    seen = 0
    for page in pages(app, sweep):
        response = sweep.client.get(page)
        assert_security_headers(response, f"{persona} {page} ({response.status_code})")
        if response.mimetype == "text/html":
            assert_no_inline_code(response.get_data(as_text=True), page)
        if persona != "anonymous" and response.status_code == 200:
            # Personal pages must not linger in shared caches.
            assert "no-store" in response.headers.get("Cache-Control", ""), page
        seen += 1
    assert seen >= 8


def test_error_pages_files_json_and_static(app: Flask, make_candidate: Any) -> None:
    client = app.test_client()
    for path, code in [("/no-such-page", 404), ("/me/apply/99999999999999999999", 404)]:
        response = client.get(path)
        assert response.status_code == code
        assert_security_headers(response, path)
        assert_no_inline_code(response.get_data(as_text=True), path)
    assert_security_headers(client.post("/healthz"), "405")
    assert_security_headers(client.get("/healthz"), "healthz")
    static = client.get("/static/css/app.css")
    assert_security_headers(static, "static")
    static.close()
    assert_security_headers(
        client.get("/jobs", headers={"Accept": "application/json"}), "json-capable page"
    )
    candidate = make_candidate()
    client.post("/login", data={"email": candidate.user.email, "password": "wrong one here"})
    from tests.factories import PASSWORD

    client.post("/login", data={"email": candidate.user.email, "password": PASSWORD})
    export = client.post("/me/export")
    assert export.status_code == 200
    assert_security_headers(export, "export download")
    assert_security_headers(client.get("/staff/"), "403")


def test_unexpected_error_page_has_the_headers(app: Flask) -> None:
    app.config["PROPAGATE_UNEXPECTED_ERRORS"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["TESTING"] = False

    @public
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/__explode", "explode", explode)
    from agency import errors

    app.register_error_handler(Exception, errors.handle_unexpected)
    response = app.test_client().get("/__explode")
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)  # no traceback or message leaks
    assert_security_headers(response, "500")


def test_hsts_in_production_only(app: Flask) -> None:
    app.config["ENV_NAME"] = "production"
    response = app.test_client().get("/")
    hsts = response.headers.get("Strict-Transport-Security", "")
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
    assert max_age >= 180 * 24 * 3600 and "includeSubDomains" in hsts


def test_json_ld_cannot_be_broken_out_of(app: Flask, make_opening: Any) -> None:
    opening = make_opening(title="Receptionist</script><script>alert(1)</script>")
    html = app.test_client().get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert_no_inline_code(html, "job with a hostile title")

"""CSRF protection on every state-changing route, generated from the URL map with protection on.

Every POST endpoint, called by a user allowed to call it on their own objects, answers 400 without
a token and changes nothing; with the token it gets past the check. Every POST form a user is
shown carries the token. The only exemption is declared here with its reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from agency.extensions import csrf
from tests.security.conftest import endpoints, fingerprint, url_for_rule
from tests.security.crawl import PERSONAS, crawl, page_token, start_sweep

# endpoint: why it may take a POST without a session-bound token.
EXEMPT = {
    "public.unsubscribe_link": "one-click unsubscribe (RFC 8058): the signed token in the URL "
    "is the proof, and mail clients post without a form",
}
# Exempt from the app-wide hook only to run the same check later, inside the view: the sweeps
# below still post to them without a token and expect the refusal.
CHECKS_ITS_OWN_TOKEN = {
    "staff.import_upload": "an import file may exceed the site's body cap, which must rise "
    "before the hook reads the body",
}
CSRF_MESSAGE = "form expired"
# The JSON API is exempt as a whole: it authenticates by token only and never reads the session
# cookie, so a forged cross-site request carries nothing it accepts (checked below).
API_PREFIX = "/api/"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["RATELIMIT_ENABLED"] = False
    return app_config


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the check runs before any SQL


def _post_routes(app: Flask) -> list[tuple[str, Any]]:
    return [
        (e, rule)
        for e, rule, methods in endpoints(app)
        if methods & {"POST", "PUT", "PATCH", "DELETE"} and not rule.rule.startswith(API_PREFIX)
    ]


def _api_write_routes(app: Flask) -> list[tuple[str, Any, set[str]]]:
    return [
        (e, rule, methods & {"POST", "PUT", "PATCH", "DELETE"})
        for e, rule, methods in endpoints(app)
        if methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.rule.startswith(API_PREFIX)
    ]


def _exempt_endpoints(app: Flask) -> set[str]:
    exempt_views = getattr(csrf, "_exempt_views", set())
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in exempt_views
    }


def _persona_for(app: Flask, endpoint: str) -> str:
    """The persona who owns the objects in `World.ids` and may call this endpoint."""
    policy = getattr(app.view_functions[endpoint], "allowed_roles", None)
    if policy is None:
        return "anonymous"
    for persona in ("candidate_b", "clinic_y", "staff", "admin"):
        if PERSONAS[persona] in policy:
            return persona
    raise AssertionError(f"{endpoint}: nobody may call it")


def test_only_declared_routes_are_exempt(app: Flask) -> None:
    assert _exempt_endpoints(app) == set(EXEMPT) | set(CHECKS_ITS_OWN_TOKEN)
    exempt_blueprints = {bp.name for bp in getattr(csrf, "_exempt_blueprints", set())}
    api_blueprints = {e.split(".")[0] for e, _rule, _m in _api_write_routes(app)}
    assert api_blueprints and api_blueprints <= exempt_blueprints
    for name in exempt_blueprints:
        rules = [r.rule for e, r, _m in endpoints(app) if e.startswith(name + ".")]
        assert all(r.startswith(API_PREFIX) for r in rules), f"{name} is exempt but not the API"


@pytest.mark.parametrize("persona", ["candidate_b", "clinic_y", "staff"])
def test_api_ignores_the_session_cookie(app: Flask, persona: str) -> None:
    """A logged-in browser's cookie alone gets no API write through (401, nothing written)."""
    sweep = start_sweep(app, persona)
    failures = []
    for endpoint, rule, methods in _api_write_routes(app):
        url = url_for_rule(rule, sweep.world.ids)
        for method in sorted(methods):
            before = fingerprint()
            response = sweep.client.open(url, method=method, json={"to_stage": "interview"})
            if response.status_code != 401:
                failures.append(f"{method} {endpoint}: {response.status_code} with a cookie only")
            if fingerprint() != before:
                failures.append(f"{method} {endpoint}: wrote to the database with a cookie only")
    assert failures == [], "\n".join(failures)


def test_there_are_state_changing_routes_to_check(app: Flask) -> None:
    # Guards the generator itself: an empty URL map would make the next test pass vacuously.
    assert len(_post_routes(app)) >= 30


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_post_without_a_token_is_refused(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    failures = []
    for endpoint, rule in _post_routes(app):
        if endpoint in EXEMPT or _persona_for(app, endpoint) != persona:
            continue
        url = url_for_rule(rule, sweep.world.ids)
        before = fingerprint()
        response = sweep.client.post(url, data={"reason": "x", "body": "x", "password": "x"})
        if response.status_code != 400 or CSRF_MESSAGE not in response.get_data(as_text=True):
            failures.append(f"{endpoint}: {response.status_code} without a token")
        if fingerprint() != before:
            failures.append(f"{endpoint}: wrote to the database without a token")
        # A token from another session is no better than none.
        stolen = app.test_client()
        forged = sweep.client.post(url, data={"csrf_token": page_token(stolen, "/login")})
        if forged.status_code != 400:
            failures.append(f"{endpoint}: {forged.status_code} with another session's token")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_post_form_carries_the_token_and_it_works(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    forms, _queries = crawl(app, sweep)
    adapter = app.url_map.bind("localhost")
    checked = 0
    for form in forms.values():
        if form.method != "POST":
            continue
        endpoint, _args = adapter.match(urlsplit(form.action).path, method="POST")
        if endpoint in EXEMPT:
            continue
        tokens = [f.value for f in form.fields if f.name == "csrf_token"]
        assert len(tokens) == 1 and tokens[0], f"{form.action} on {form.page} has no CSRF token"
        response = sweep.client.post(form.action, data={"csrf_token": tokens[0]})
        assert CSRF_MESSAGE not in response.get_data(as_text=True), form.action
        checked += 1
    if persona != "admin":
        assert checked, f"{persona} was shown no POST form"

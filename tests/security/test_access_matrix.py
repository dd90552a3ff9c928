"""The access-control matrix, generated from Flask's URL map.

Every endpoint declares who may call it (`roles_required` or `public`); a route without a
declared policy fails this suite. Each endpoint is then called by every kind of user on objects
that belong to somebody else, and the answer must follow the policy: anonymous users are sent to
log in, other roles get 403, and a candidate or clinic reaching for a foreign object gets 404 —
with the database unchanged. Owners then reach their own objects.

API routes (/api/) are called the same way with the persona's write-scoped API token (the API
never reads the session cookie): anonymous callers get 401.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from agency.extensions import db
from agency.models import Role, utcnow
from agency.services import api_tokens
from tests.conftest import login
from tests.security.conftest import World, build_world

# Endpoints whose policy is not a role: Flask's own static files.
EXEMPT = {"static"}
# URL parameters that name an object somebody owns.
OWNED_PARAMS = {
    "candidate_id",
    "credential_id",
    "application_id",
    "opening_id",
    "clinic_id",
    "token_id",
    "endpoint_id",
    "interview_id",
    "shift_id",
    "booking_id",
    "offer_id",
    "invoice_id",
    "timesheet_id",
    "member_id",
}
# Tables whose rows legitimately change when a request is refused (the audit trail of it).
VOLATILE_TABLES = {"audit_events", "alembic_version"}


@pytest.fixture
def backend() -> str:
    # The policy lives in Python, not SQL: one backend is enough for the matrix.
    return "sqlite"


@pytest.fixture
def world(app: Flask, taxonomy: Any) -> World:
    # Candidate B and clinic Y own every object named in `World.ids` (see conftest.build_world).
    built = build_world()
    for persona, user in built.users.items():
        persona_token, persona_raw = api_tokens.create(user, "matrix", "write")
        # Just used: no request of the sweep records a use (the fingerprint would see it).
        persona_token.last_used_at = utcnow()
        built.ids[f"api:{persona}"] = persona_raw
    db.session.commit()
    return built


def _api_headers(world: World, persona: str, rule: Any) -> dict[str, str]:
    """The persona's token on API routes; If-Match so an update reaches its checks (428 else)."""
    if not rule.rule.startswith("/api/") or persona == "anonymous":
        return {}
    return {"Authorization": f"Bearer {world.ids[f'api:{persona}']}", "If-Match": '"matrix"'}


def _endpoints(app: Flask) -> list[tuple[str, Any, set[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        rules.append((rule.endpoint, rule, methods))
    return sorted(rules, key=lambda r: r[0])


def _url(rule: Any, ids: dict[str, Any]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), path)
    return path


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def test_every_route_declares_a_policy(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint, _rule, _methods in _endpoints(app)
        if not hasattr(app.view_functions[endpoint], "allowed_roles")
    ]
    assert missing == [], f"routes without an access policy: {missing}"


def _expected(
    policy: frozenset[str] | None,
    persona: str,
    role: str | None,
    params: set[str],
    api_method: str | None = None,
) -> set[int] | str:
    """The status codes the policy allows for this caller on a foreign object."""
    if policy is None:
        return "public"
    if role is None:
        return {302, 401}
    if role not in policy:
        return {403}
    if role in (Role.STAFF, Role.ADMIN) or persona in OWNERS:
        return "allowed"
    owned = params & OWNED_PARAMS
    if role == Role.CANDIDATE:
        # Open openings are public; everything else of another candidate is out of reach.
        owned -= {"opening_id"}
    if owned and api_method in ("POST", "PATCH"):
        # The API validates the (here empty) body before it looks the object up, so a 422 is
        # the same answer for an own and a foreign object and tells nothing about it.
        return {404, 422}
    return {404} if owned else "allowed"


PERSONAS = {
    "anonymous": None,
    "candidate_a": Role.CANDIDATE,
    "clinic_x": Role.CLINIC,
    "candidate_b": Role.CANDIDATE,
    "clinic_y": Role.CLINIC,
    "staff": Role.STAFF,
    "admin": Role.ADMIN,
}
# The owners of the objects in `World.ids`: for them those objects are not foreign.
OWNERS = {"candidate_b", "clinic_y"}
# Strangers must never see these in any answer, whatever its status.
STRANGERS = {"candidate_a", "clinic_x", "anonymous"}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_matrix_on_foreign_objects(
    app: Flask, client: FlaskClient, world: World, persona: str
) -> None:
    role = PERSONAS[persona]
    if role is not None:
        assert login(client, world.users[persona].email).status_code == 302
    failures = []
    for endpoint, rule, methods in _endpoints(app):
        if endpoint == "auth.logout":
            continue  # would end the session the rest of the loop needs
        policy = getattr(app.view_functions[endpoint], "allowed_roles", None)
        url = _url(rule, world.ids)
        headers = _api_headers(world, persona, rule)
        for method in sorted(methods):
            api_method = method if rule.rule.startswith("/api/") else None
            expected = _expected(policy, persona, role, set(rule.arguments), api_method)
            before = _fingerprint() if expected not in ("public", "allowed") else None
            response = client.open(url, method=method, data={}, headers=headers)
            code = response.status_code
            if persona in STRANGERS:
                body = response.get_data(as_text=True)
                leaked = [k for k, v in world.secrets.items() if v in body]
                if leaked:
                    failures.append(f"{method} {url} ({endpoint}) shows {leaked} to {persona}")
            if code >= 500:
                failures.append(f"{method} {url} ({endpoint}): {code}")
            elif isinstance(expected, set):
                if code not in expected:
                    failures.append(f"{method} {url} ({endpoint}): {code}, expected {expected}")
                elif code == 302 and role is None:
                    assert "/login" in response.headers["Location"], url
                if before is not None and _fingerprint() != before:
                    failures.append(f"{method} {url} ({endpoint}): refused but changed the data")
            elif expected == "allowed" and code in (401, 403):
                failures.append(f"{method} {url} ({endpoint}): {code} for an allowed role")
            db.session.rollback()
    assert failures == [], "\n".join(failures)


OWNER_PAGES = {
    # endpoint: persona who owns the objects named in `World.ids`
    "candidates.application": "candidate_b",
    "candidates.edit_credential": "candidate_b",
    "candidates.credential_file": None,  # no document uploaded in this world: 404 is right
    "candidates.resume_file": None,
    "clinics.opening": "clinic_y",
    "clinics.edit_opening": "clinic_y",
    "clinics.duplicate_opening": "clinic_y",
    "clinics.shift": "clinic_y",
    "api_submittals.get": "clinic_y",
    "api_candidates.get": "candidate_b",
    "clinics.interview": "clinic_y",
    "clinics.propose_interview": "clinic_y",
    "clinics.invoice": "clinic_y",
    "clinics.invoice_file": "clinic_y",
    "candidates.my_timesheet": "candidate_b",
}


@pytest.mark.parametrize("endpoint", sorted(k for k, v in OWNER_PAGES.items() if v))
def test_owners_reach_their_own_objects(
    app: Flask, client: FlaskClient, world: World, endpoint: str
) -> None:
    owner = OWNER_PAGES[endpoint]
    assert owner is not None
    assert login(client, world.users[owner].email).status_code == 302
    rule = next(r for e, r, _m in _endpoints(app) if e == endpoint)
    headers = _api_headers(world, owner, rule)
    assert client.get(_url(rule, world.ids), headers=headers).status_code == 200


def test_every_object_page_has_an_owner_check(app: Flask) -> None:
    """A new candidate or clinic route on an object must be listed above with its owner."""
    unlisted = []
    for endpoint, rule, methods in _endpoints(app):
        policy = getattr(app.view_functions[endpoint], "allowed_roles", None)
        if not policy or "GET" not in methods:
            continue
        if not policy & {Role.CANDIDATE, Role.CLINIC}:
            continue
        params = set(rule.arguments) & OWNED_PARAMS
        if Role.CLINIC not in policy:
            params -= {"opening_id"}
        if params and endpoint not in OWNER_PAGES:
            unlisted.append(endpoint)
    assert unlisted == [], f"object routes without an owner test: {unlisted}"


def test_the_leak_check_would_notice_a_leak(client: FlaskClient, world: World) -> None:
    """Staff see candidate B's details, so the strings the matrix looks for are the real ones."""
    assert login(client, world.users["staff"].email).status_code == 302
    page = client.get(f"/staff/candidates/{world.ids['candidate_id']}").get_data(as_text=True)
    for key in ("candidate_b_email", "candidate_b_name", "candidate_b_phone"):
        assert world.secrets[key] in page, key

"""Property-based tests driven by the API's own OpenAPI description (schemathesis): whatever the
generated input, no server error and no response that breaks the documented schema."""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from agency.extensions import db
from agency.services import api_tokens
from tests.security.conftest import World, build_world

# Which persona calls which paths: the clinic for what a clinic does, staff for the rest (both
# with write tokens, so the writes get past the scope check and reach validation and services).
CLINIC_PATHS = ("/api/v1/submittals",)


@pytest.fixture
def world(app: Flask, taxonomy: Any) -> World:
    built = build_world()
    for persona in ("clinic_y", "staff"):
        _token, raw = api_tokens.create(built.users[persona], "schemathesis", "write")
        built.ids[f"api:{persona}"] = raw
    db.session.commit()
    return built


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 reads Node._nodeid, which pytest 9 no longer sets (it has `nodeid`).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_schema(app: Flask, world: World) -> Any:
    def isolated(environ: Any, start_response: Any) -> Any:
        # Each request in its own context (own app context and session), as in production.
        return contextvars.Context().run(app, environ, start_response)

    # Examples and fuzzing, bounded below; the exhaustive coverage phase would take minutes.
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_every_input_within_its_schema(case: Any, world: World) -> None:
    path, method = case.operation.path, case.method.upper()
    clinic = path.startswith(CLINIC_PATHS) or (
        path.startswith("/api/v1/openings") and method in ("POST", "PATCH")
    )
    persona = "clinic_y" if clinic else "staff"
    # Half the generated ids name the world's real objects, so the success paths run too.
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, int) and value % 2 == 0 and name in world.ids:
            case.path_parameters[name] = world.ids[name]
    headers = {"Authorization": f"Bearer {world.ids[f'api:{persona}']}"}
    case.call_and_validate(
        headers=headers, checks=[not_a_server_error, response_schema_conformance]
    )

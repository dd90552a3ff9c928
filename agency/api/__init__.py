"""The JSON API under /api/v1 (flask-smorest): token-authenticated, CSRF-exempt, documented by
the OpenAPI 3.1 description it generates at /api/v1/openapi.json, with a docs page at
/api/v1/docs. It calls the same services as the pages; no business rule lives here."""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, Response, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from agency.api.blueprints import ALL, PREFIX
from agency.api.schemas import Money, ProblemSchema
from agency.problems import PROBLEM_TYPE


class ProblemApi(Api):
    """flask-smorest, with RFC 9457 errors documented and the site's own error handling kept:
    agency.errors renders API errors as problem+json, so no global handler is installed here
    (flask-smorest's would turn the HTML error pages into JSON)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _openapi_json(self) -> Response:
        return Response(json.dumps(self.spec.to_dict(), indent=2), mimetype="application/json")


# The description itself is public (the marker the access-policy test reads).
ProblemApi._openapi_json.allowed_roles = None  # type: ignore[attr-defined]
api = ProblemApi()
api.register_field(Money, "string", "decimal")


def init_app(app: Flask) -> None:
    from agency.api import (  # noqa: F401 (importing registers the routes)
        applications,
        candidates,
        docs,
        matches,
        openings,
        submittals,
        token_views,
        webhook_views,
    )

    app.config.setdefault("API_TITLE", "ClinicMatch API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Personal API tokens are created on /account/api-tokens and sent "
                "as `Authorization: Bearer <token>`. Errors are RFC 9457 problem details."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}, {}],
        },
    )
    api.init_app(app)
    for blueprint in ALL:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    app.register_blueprint(token_views.bp)
    app.register_blueprint(webhook_views.bp)

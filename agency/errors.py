"""Error pages for browsers and JSON errors for API clients; never a bare traceback."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from agency import problems
from agency.extensions import db

log = logging.getLogger(__name__)

_TEMPLATES = {400: "400", 403: "403", 404: "404", 413: "413", 429: "429"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _render(code: int, message: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify({"error": message, "status": code}), code
    name = _TEMPLATES.get(code)
    if name is None:
        return _bare_error_page(code), code
    return render_template(f"errors/{name}.html", message=message), code


def _bare_error_page(code: int) -> str:
    # No context processors: the user loader or the database may be what just failed.
    return current_app.jinja_env.get_template("errors/500.html").render(code=code)


def handle_http(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    if request.path.startswith("/api/"):
        return problems.from_http_exception(exc)
    return _render(code, exc.description or exc.name)


def handle_csrf(exc: CSRFError) -> ResponseReturnValue:
    return _render(
        400, "The form expired or was sent from elsewhere. Reload the page and try again."
    )


def handle_unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    if request.path.startswith("/api/"):
        return problems.problem(500, "Internal error")
    if _wants_json():
        return jsonify({"error": "Internal error", "status": 500}), 500
    return _bare_error_page(500), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    if not app.config.get("PROPAGATE_UNEXPECTED_ERRORS"):
        app.register_error_handler(Exception, handle_unexpected)

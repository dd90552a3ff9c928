"""RFC 9457 problem details: the one shape every API error has (`application/problem+json`)."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "application/problem+json"


def problem(
    status: int,
    detail: str = "",
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
) -> Response:
    """A problem response; `errors` names each wrong field as a JSON pointer with its message."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def field_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow/webargs messages ({"json": {"title": ["..."]}}) into a list of
    {"pointer": "#/title", "in": "json", "detail": "..."} entries (RFC 9457 section 3's
    extension member for field errors, as the RFC's own example does)."""
    out: list[dict[str, str]] = []

    def walk(node: Any, path: list[str], location: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, str(key)], location)
        elif isinstance(node, list) and node and all(isinstance(m, str) for m in node):
            for message in node:
                out.append(
                    {"pointer": "#/" + "/".join(path), "in": location, "detail": str(message)}
                )
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, [*path, str(i)], location)
        else:
            out.append({"pointer": "#/" + "/".join(path), "in": location, "detail": str(node)})

    if isinstance(messages, dict):
        for location, node in messages.items():
            walk(node, [], str(location))
    return out


def from_http_exception(exc: HTTPException) -> Response:
    """An HTTP error raised in (or routed toward) the API as a problem; flask-smorest and
    webargs put validation messages and extra headers in `exc.data`."""
    code = exc.code or 500
    if code == 304:
        # Not an error: If-None-Match matched. No body, but the validator is repeated.
        response = Response(status=304)
        return response
    data = getattr(exc, "data", None) or {}
    detail = data.get("message") or exc.description or ""
    messages = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    response = problem(code, str(detail), errors=field_errors(messages), headers=headers)
    # Flask-Limiter's 429 carries Retry-After and X-RateLimit-* in its own response.
    original = exc.get_response()
    for name in ("Retry-After",):
        if name in original.headers:
            response.headers[name] = original.headers[name]
    return response

"""Token authentication for the API: `Authorization: Bearer <token>`, never the session cookie.

A browser's cookie must not authorize an API call: the API is exempt from CSRF, so accepting the
cookie would let any site make a logged-in visitor's browser call it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, request

from agency.extensions import db
from agency.models import ApiToken, Clinic, Role, User
from agency.services import api_tokens, audit

F = TypeVar("F", bound=Callable[..., Any])
STAFF = (Role.STAFF, Role.ADMIN)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not value.strip():
        return ""
    return value.strip()


def load_token() -> None:
    """Before every API request: who is calling (None: nobody; a bad token is a 401 at once)."""
    g.api_token = None
    raw = _bearer()
    if raw is None:
        return
    token = api_tokens.authenticate(raw) if raw else None
    if token is None:
        abort(401, "The API token is missing, malformed, revoked or unknown.")
    g.api_token = token


def rate_limit_key() -> str:
    """Per token (a hash of it: the limiter's storage never holds a secret); per address when
    none is given. Runs before load_token, so it reads the header itself."""
    raw = _bearer()
    if raw:
        return "api-token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "api-ip:" + (request.remote_addr or "")


def rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def caller() -> User | None:
    token: ApiToken | None = g.get("api_token")
    return token.user if token is not None else None


def require_user() -> User:
    user = caller()
    if user is None:
        abort(401, "This call needs an API token.")
    return user


def _deny(user: User) -> None:
    audit.record(
        "access_denied",
        actor_id=user.id,
        ip=request.remote_addr or "",
        object_type="endpoint",
        details={"path": request.path[:200], "api": True},
    )
    db.session.commit()


def roles(*allowed_roles: str, write: bool = False) -> Callable[[F], F]:
    """Only these roles may call the route (with a write-scoped token when `write`); the same
    `allowed_roles` marker the pages carry, so the access-matrix test reads it."""
    allowed = frozenset(allowed_roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = require_user()
            if user.role not in allowed:
                _deny(user)
                abort(403, "Your role may not use this resource.")
            if write and not g.api_token.can_write:
                abort(403, "This token is read-only; create a token with the write scope.")
            if write and user.is_clinic_viewer:
                _deny(user)
                abort(403, "A viewer of the clinic's account may not change anything.")
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view


def my_clinic(user: User) -> Clinic:
    """The clinic of a clinic member (a member without one may do nothing: 403)."""
    clinic = db.session.get(Clinic, user.clinic_id) if user.clinic_id is not None else None
    if clinic is None:
        abort(403, "Your account belongs to no clinic.")
    return clinic

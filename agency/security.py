"""Request-level security: user loading, session timeouts, role checks and response headers."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.routing import IntegerConverter, Map

from agency.extensions import db, login_manager
from agency.ids import MAX_DATABASE_ID, MAX_ID
from agency.models import User
from agency.services import audit

F = TypeVar("F", bound=Callable[..., Any])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    # A clinic member's pages all start from their clinic: load it with the user (one query).
    user = db.session.get(User, uid, options=[joinedload(User.clinic)])
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def signed_in_user() -> User:
    """The logged-in user, as the User row (behind `roles_required`, there always is one)."""
    return cast(User, current_user._get_current_object())


def client_ip() -> str:
    return request.remote_addr or ""


def audit_here(action: str, **kwargs: Any) -> None:
    """Record an audit event for the current request's user and address."""
    actor_id = current_user.id if current_user.is_authenticated else None
    audit.record(action, actor_id=actor_id, ip=client_ip(), **kwargs)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only these roles may call the view: anonymous users go to login, others get 403."""
    allowed = set(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in allowed:
                audit_here("access_denied", object_type="endpoint", details={"path": request.path})
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def clinic_manager_required(view: F) -> F:
    """Under `roles_required(Role.CLINIC)`: a clinic's viewer may look but not change anything
    (post or edit openings, decide on candidates, interviews, shifts, the profile, the team):
    403 for them. Marked `clinic_write` so a test finds every route that carries it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if current_user.is_authenticated and current_user.is_clinic_viewer:
            audit_here("access_denied", object_type="endpoint", details={"path": request.path})
            db.session.commit()
            abort(403)
        return view(*args, **kwargs)

    wrapped.clinic_write = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def clinic_manager_required_to_write(view: F) -> F:
    """As `clinic_manager_required`, for a page viewers may read (GET) but not submit."""
    guarded = clinic_manager_required(view)

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if request.method in ("GET", "HEAD"):
            return view(*args, **kwargs)
        return guarded(*args, **kwargs)

    wrapped.clinic_write = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def public(view: F) -> F:
    """Mark a view as open to everyone, so the access-policy test knows it was meant."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view


def _enforce_session_timeouts() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return None
    now = time.time()
    started = session.get("_started", now)
    last_seen = session.get("_last_seen", now)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if now - last_seen > idle or now - started > absolute:
        logout_user()
        session.clear()
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    session["_last_seen"] = now
    session.setdefault("_started", now)
    return None


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("ENV_NAME") == "production":
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    # is_anonymous, not is_authenticated: the latter reads the user row, which a view's commit
    # has expired by now (one more query per request for a header).
    if request.endpoint != "static" and not current_user.is_anonymous:
        # Pages with personal data must not linger in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a non-negative integer that fits a BIGINT, else no match.

    The pattern itself stops at 18 digits: werkzeug checks the methods of a rule whose pattern
    matched before its converter refuses the value, so a 19-digit id past 2**63 - 1 on a path
    with several methods answered 405 instead of 404."""

    regex = r"\d{1,18}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_DATABASE_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _bounded_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Past MAX_ID the router's integer reaches the driver, which PostgreSQL refuses as out of
    # range for an INTEGER (a 500): no row has such an id, so the page does not exist.
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            abort(404)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # Not a defense against a copied cookie: Flask-Login's "strong" mode drops only a
    # non-permanent session whose address or browser changed (one restored from a remember-me
    # cookie, which the copier can replay to start over), and merely marks the permanent
    # sessions a login starts as not fresh. Copied cookies die on the server instead: logout,
    # "log out everywhere" and a password change move the user's session generation
    # (accounts.end_sessions), which load_user checks on every request.
    login_manager.session_protection = "strong"
    # Before any blueprint registers a route (rules look their converters up when added).
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_value_preprocessor(_bounded_ids)
    app.before_request(_enforce_session_timeouts)
    app.after_request(_security_headers)

    @app.context_processor
    def _endpoints() -> dict[str, Any]:
        return {"url_map_endpoints": set(app.view_functions)}

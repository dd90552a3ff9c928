"""Signed unsubscribe tokens: a link in every non-essential e-mail that works without a login."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from agency.extensions import db
from agency.models import User

# "all" turns off non-essential mail; "openings" only the new-opening alerts.
TOPICS = ("all", "openings")
_SALT = "clinicmatch-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(user_id: int, topic: str = "all") -> str:
    if topic not in TOPICS:
        raise ValueError(f"unknown unsubscribe topic {topic!r}")
    return str(_serializer().dumps({"u": user_id, "t": topic}))


def url_for_user(user_id: int, topic: str = "all") -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/unsubscribe/{make_token(user_id, topic)}"


def read_token(token: str) -> tuple[User, str] | None:
    """The user and topic a token names, or None when it is forged, garbled or the user is gone."""
    try:
        data = _serializer().loads(token)
        user_id, topic = int(data["u"]), str(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or topic not in TOPICS:
        return None
    return user, topic


def apply(user: User, topic: str) -> None:
    """Turn the topic off for the user (idempotent); the caller commits."""
    if topic == "openings":
        user.notify_new_openings = False
    else:
        user.email_notifications = False
        user.notify_new_openings = False

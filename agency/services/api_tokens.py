"""Personal API tokens: create (the secret is returned once), list, revoke, and authenticate."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import ApiToken, TokenScope, User, utcnow
from agency.services import audit
from agency.services.errors import FieldError

PREFIX = "cm_"
MAX_TOKENS = 20  # per user: enough for every integration, few enough to review on one page
MAX_RAW = 200  # longer Authorization values are not ours: refuse before hashing
# Writing last_used_at on every request would turn each API read into a write.
TOUCH_EVERY = timedelta(minutes=5)


class TokenError(FieldError):
    """A refusal the form shows next to `field`."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        ).scalars()
    )


def create(user: User, name: str, scope: str, ip: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the secret, which is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError("Give the token a name of up to 100 characters.", "name")
    if scope not in TokenScope.values():
        raise TokenError("Choose read or write.", "scope")
    active = [t for t in tokens_of(user) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS:
        raise TokenError(f"You have {MAX_TOKENS} tokens; revoke one first.", "name")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, scope=scope, token_hash=_digest(raw), prefix=raw[:10]
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token_created",
        actor_id=user.id,
        object_type="api_token",
        object_id=token.id,
        ip=ip,
        details={"scope": scope},
    )
    return token, raw


def revoke(user: User, token_id: int, ip: str = "") -> ApiToken | None:
    """Revoke one of the user's own tokens (None when it is not theirs)."""
    if not 0 < token_id < 2**31:
        return None
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "api_token_revoked",
            actor_id=user.id,
            object_type="api_token",
            object_id=token.id,
            ip=ip,
        )
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The live token with this secret whose user is active, or None."""
    if not raw.startswith(PREFIX) or len(raw) > MAX_RAW:
        return None
    token = db.session.execute(
        select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.clinic))
        .where(ApiToken.token_hash == _digest(raw))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token

"""Personal API tokens: a user's named, scoped keys for the JSON API; only a hash is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow
from agency.models.users import User


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(Model):
    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        enum_check("scope", TokenScope),
        Index("ix_api_tokens_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope))
    # SHA-256 of the whole token: the token is long and random, so a slow hash adds nothing.
    token_hash: Mapped[str] = mapped_column(String(64))
    # The first characters, shown on the settings page so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

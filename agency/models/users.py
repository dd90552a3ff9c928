"""Accounts: who can log in, with which role, and the one-time tokens they are sent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.clinics import Clinic


class Role(StrEnum):
    CANDIDATE = "candidate"
    CLINIC = "clinic"
    STAFF = "staff"
    ADMIN = "admin"


# The agency's own people: the roles that may use the staff workspace.
STAFF_ROLES = (Role.STAFF, Role.ADMIN)


class ClinicRole(StrEnum):
    """What a clinic login may do: a manager runs the clinic's account (openings, decisions,
    shifts, the profile and the team); a viewer only looks."""

    MANAGER = "manager"
    VIEWER = "viewer"


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role), enum_check("clinic_role", ClinicRole))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="SET NULL"), index=True
    )
    # Clinic logins only (None elsewhere); a login without one counts as a manager.
    clinic_role: Mapped[ClinicRole | None] = mapped_column(enum_type(ClinicRole))
    # Notification preferences; essential mail (password reset) ignores them.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_new_openings: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on password change so every other session and remember cookie dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    clinic: Mapped[Clinic | None] = relationship(back_populates="members", foreign_keys=[clinic_id])

    def get_id(self) -> str:
        # The version makes a changed password log out other sessions.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_clinic_viewer(self) -> bool:
        return self.role == Role.CLINIC and self.clinic_role == ClinicRole.VIEWER

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a secret)
    ACCOUNT_CLAIM = "account_claim"  # a staff-entered record's invitation to set a password
    CLINIC_INVITE = "clinic_invite"  # a clinic manager's invitation to a colleague


class AuthToken(Model):
    """A single-use token sent by e-mail; only its SHA-256 is stored."""

    __tablename__ = "auth_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        enum_check("purpose", TokenPurpose),
        Index("ix_auth_tokens_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

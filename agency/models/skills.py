"""The skill and credential vocabulary, and the role profiles' default weights (from the engine)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, enum_check, enum_type


class RoleType(StrEnum):
    RECEPTIONIST = "receptionist"
    SECRETARY = "secretary"
    HYBRID = "hybrid"


class Skill(Model):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(80), index=True)
    side: Mapped[str] = mapped_column(String(8), default="both")

    def __repr__(self) -> str:
        return f"<Skill {self.code}>"


class CredentialType(Model):
    __tablename__ = "credential_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    issuer: Mapped[str] = mapped_column(String(160), default="")

    def __repr__(self) -> str:
        return f"<CredentialType {self.code}>"


class RoleProfile(Model):
    """Default weight of one skill for one role; the engine's role profile, copied for queries."""

    __tablename__ = "role_profiles"
    __table_args__ = (
        UniqueConstraint("role", "skill_id"),
        enum_check("role", RoleType),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[RoleType] = mapped_column(enum_type(RoleType))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    weight: Mapped[float] = mapped_column(Float)

    skill: Mapped[Skill] = relationship()

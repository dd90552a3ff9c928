"""Candidates: the people the agency places, their skills and their credentials."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from agency.extensions import Model
from agency.models.skills import CredentialType, Skill
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.users import User


class CandidateStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PLACED = "placed"
    ERASED = "erased"


class Candidate(Model):
    __tablename__ = "candidates"
    __table_args__ = (
        enum_check("status", CandidateStatus),
        CheckConstraint("commute_miles >= 0 AND commute_miles <= 200", name="commute_range"),
        CheckConstraint("min_pay IS NULL OR min_pay >= 0", name="min_pay_nonnegative"),
        CheckConstraint(
            "availability_mask >= 0 AND availability_mask < 2097152", name="availability_range"
        ),
        CheckConstraint("years_experience >= 0", name="experience_nonnegative"),
        CheckConstraint(
            "typing_wpm IS NULL OR (typing_wpm >= 0 AND typing_wpm <= 250)", name="wpm_range"
        ),
        Index("ix_candidates_status_updated", "status", "updated_at"),
        Index("ix_candidates_updated_at", "updated_at"),
        # The duplicate check's "newest of a ZIP code" reads the index backwards and stops.
        Index("ix_candidates_zip_code_id", "zip_code", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable: erasing an account removes the user but keeps the anonymous aggregate row.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Indexed for the duplicate check's "same phone" (an import asks for a thousand at once).
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    zip_code: Mapped[str] = mapped_column(String(5), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    commute_miles: Mapped[float] = mapped_column(Float, default=15.0)
    desired_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_pay: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    availability_mask: Mapped[int] = mapped_column(Integer, default=0)
    years_experience: Mapped[float] = mapped_column(Float, default=0.0)
    typing_wpm: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ehr_systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    resume_path: Mapped[str | None] = mapped_column(String(255))
    resume_filename: Mapped[str | None] = mapped_column(String(255))
    resume_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CandidateStatus] = mapped_column(
        enum_type(CandidateStatus), default=CandidateStatus.ACTIVE
    )
    # Consent: whether staff may share the profile with clinics it is submitted to.
    consent_share_profile: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_terms_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who typed the record in (staff intake of a phone call); None: the person registered.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the person of a staff-entered record set their password and accepted the terms.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    skills: Mapped[list[CandidateSkill]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan"
    )
    credentials: Mapped[list[Credential]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan"
    )

    @property
    def awaiting_claim(self) -> bool:
        """Entered by staff and not yet claimed by the person: not shown to any clinic."""
        return self.entered_by_id is not None and self.claimed_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Candidate {self.id}>"


class SkillSource(StrEnum):
    SELF = "self"
    ASSESSED = "assessed"
    RESUME = "resume"


class CandidateSkill(Model):
    __tablename__ = "candidate_skills"
    __table_args__ = (
        UniqueConstraint("candidate_id", "skill_id"),
        CheckConstraint("level BETWEEN 0 AND 4", name="level_range"),
        enum_check("source", SkillSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (candidate_id, skill_id) index serves it (migration 0027).
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    source: Mapped[SkillSource] = mapped_column(enum_type(SkillSource), default=SkillSource.SELF)

    candidate: Mapped[Candidate] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Credential(Model):
    __tablename__ = "credentials"
    __table_args__ = (
        enum_check("verification_status", VerificationStatus),
        CheckConstraint(
            "expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on",
            name="dates_ordered",
        ),
        Index("ix_credentials_expires_on", "expires_on"),
        # The staff queue of credentials waiting for a check, oldest first.
        Index("ix_credentials_status_created", "verification_status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    credential_type_id: Mapped[int] = mapped_column(
        ForeignKey("credential_types.id", ondelete="RESTRICT"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(160), default="")
    number: Mapped[str] = mapped_column(String(80), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    document_path: Mapped[str | None] = mapped_column(String(255))
    document_filename: Mapped[str | None] = mapped_column(String(255))
    verification_status: Mapped[VerificationStatus] = mapped_column(
        enum_type(VerificationStatus), default=VerificationStatus.PENDING
    )
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="credentials")
    credential_type: Mapped[CredentialType] = relationship()


def profile_loaded() -> tuple[Any, ...]:
    """Loader options for a candidate's skills and credentials with their vocabulary rows, in a
    fixed number of queries however many there are."""
    return (
        selectinload(Candidate.skills).joinedload(CandidateSkill.skill),
        selectinload(Candidate.credentials).joinedload(Credential.credential_type),
    )

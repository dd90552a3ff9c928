"""Openings a clinic posts, with the skills, credentials and schedule they require."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from agency.extensions import Model, db
from agency.models.skills import CredentialType, RoleType, Skill
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.clinics import Clinic


class EmploymentType(StrEnum):
    TEMP = "temp"
    TEMP_TO_HIRE = "temp_to_hire"
    PERMANENT = "permanent"
    PER_DIEM = "per_diem"


class OpeningStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ON_HOLD = "on_hold"
    FILLED = "filled"
    CLOSED = "closed"


class Opening(Model):
    __tablename__ = "openings"
    __table_args__ = (
        enum_check("role_type", RoleType),
        enum_check("employment_type", EmploymentType),
        enum_check("status", OpeningStatus),
        CheckConstraint("positions >= 1", name="positions_positive"),
        CheckConstraint(
            "pay_min IS NULL OR pay_max IS NULL OR pay_min <= pay_max", name="pay_range_ordered"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint("shift_mask >= 0 AND shift_mask < 2097152", name="shift_mask_range"),
        Index("ix_openings_status_created", "status", "created_at"),
        # Time-to-fill on the staff dashboard reads the openings filled this month.
        Index("ix_openings_filled_at", "filled_at"),
        Index("ix_openings_status_role", "status", "role_type"),
        Index("ix_openings_status_start", "status", "start_date"),
        # The job board: the count of open openings per filter reads this index alone; the
        # newest-first page walks the next one in order and stops after 20 rows.
        Index("ix_openings_board", "status", "clinic_id", "role_type", "employment_type"),
        Index(
            "ix_openings_board_newest",
            "status",
            text("coalesce(posted_at, created_at)"),
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    role_type: Mapped[RoleType] = mapped_column(enum_type(RoleType))
    description: Mapped[str] = mapped_column(Text, default="")
    # Title and description case-folded, kept by the before_insert/update hook below: the job
    # board matches words with a plain LIKE on one column instead of ILIKE on two (ILIKE on
    # PostgreSQL cost 3-5x as much CPU, bench/README.md).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    employment_type: Mapped[EmploymentType] = mapped_column(enum_type(EmploymentType))
    positions: Mapped[int] = mapped_column(Integer, default=1)
    # Weekly schedule as a 21-bit mask: bit = day * 3 + block (Mon=0; morning, afternoon, evening).
    shift_mask: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    pay_min: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    pay_max: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    # Default pay / bill rate per hour for this opening's placements and shifts (staff set them;
    # empty = the clinic's rate card for the role). See services/rates.py.
    pay_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    bill_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    min_typing_wpm: Mapped[int | None] = mapped_column(Integer)
    ehr_systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[OpeningStatus] = mapped_column(
        enum_type(OpeningStatus), default=OpeningStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The staff member who typed the opening in for the clinic (a job order taken by phone, an
    # import); None: the clinic posted it itself.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a full rescore last read this opening (rescore_opening, rescore_all): its Match rows
    # are its current proposals when this is not older than updated_at.
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    clinic: Mapped[Clinic] = relationship(back_populates="openings")
    skills: Mapped[list[OpeningSkill]] = relationship(
        back_populates="opening", cascade="all, delete-orphan"
    )
    credentials: Mapped[list[OpeningCredential]] = relationship(
        back_populates="opening", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Opening {self.id} {self.title!r}>"


class OpeningSkill(Model):
    __tablename__ = "opening_skills"
    __table_args__ = (
        UniqueConstraint("opening_id", "skill_id"),
        CheckConstraint("min_level BETWEEN 0 AND 4", name="min_level_range"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    min_level: Mapped[int] = mapped_column(Integer, default=2)
    weight: Mapped[float] = mapped_column(default=1.0)

    opening: Mapped[Opening] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class OpeningCredential(Model):
    __tablename__ = "opening_credentials"
    __table_args__ = (UniqueConstraint("opening_id", "credential_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    credential_type_id: Mapped[int] = mapped_column(
        ForeignKey("credential_types.id", ondelete="CASCADE"), index=True
    )

    opening: Mapped[Opening] = relationship(back_populates="credentials")
    credential_type: Mapped[CredentialType] = relationship()


def requirements_loaded() -> tuple[Any, ...]:
    """Loader options for an opening's skills and credentials with their vocabulary rows, in a
    fixed number of queries however many there are."""
    return (
        selectinload(Opening.skills).joinedload(OpeningSkill.skill),
        selectinload(Opening.credentials).joinedload(OpeningCredential.credential_type),
    )


def opening_with_requirements(*criteria: Any) -> Opening | None:
    """The one opening matching `criteria`, with its clinic, skills and credentials, in a single
    query: joined, the two short lists multiply into a few dozen rows, which costs less than the
    two extra round trips the select-in loading above takes (it is meant for lists)."""
    return (
        db.session.execute(
            select(Opening)
            .options(
                joinedload(Opening.clinic),
                joinedload(Opening.skills).joinedload(OpeningSkill.skill),
                joinedload(Opening.credentials).joinedload(OpeningCredential.credential_type),
            )
            .where(*criteria)
        )
        .unique()
        .scalar_one_or_none()
    )


def searchable(title: str | None, description: str | None) -> str:
    """What the job board's word search reads for an opening."""
    return f"{title or ''}\n{description or ''}".casefold()


@event.listens_for(Opening, "before_insert")
@event.listens_for(Opening, "before_update")
def _keep_search_text(_mapper: object, _connection: object, opening: Opening) -> None:
    opening.search_text = searchable(opening.title, opening.description)

"""The pipeline: a candidate's application to an opening and every stage change it went through."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.openings import Opening
    from agency.models.users import User


class ApplicationSource(StrEnum):
    APPLIED = "applied"
    SOURCED = "sourced"


class Stage(StrEnum):
    APPLIED = "applied"
    SOURCED = "sourced"
    SHORTLISTED = "shortlisted"
    SUBMITTED = "submitted"
    INTERVIEW = "interview"
    OFFERED = "offered"
    PLACED = "placed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Audience(StrEnum):
    """Who reads a piece of text, chosen where it is written. Agency staff read everything."""

    STAFF = "staff"  # agency staff only: internal judgment, never shown outside
    CLINIC = "clinic"  # the agency and the clinic the candidate was submitted to
    CANDIDATE = "candidate"  # the agency and the candidate


# Stages that end an application; only staff may reopen one.
CLOSED_STAGES = frozenset({Stage.PLACED, Stage.REJECTED, Stage.WITHDRAWN})
# The agency's own judgement between steps: the candidate is never told of it (the clinic
# neither). The candidate's copy of their data still lists it (it is data about them).
INTERNAL_STAGES = frozenset({Stage.SHORTLISTED})


class Application(Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("candidate_id", "opening_id"),
        enum_check("source", ApplicationSource),
        enum_check("stage", Stage),
        Index("ix_applications_opening_stage", "opening_id", "stage"),
        Index("ix_applications_stage_created", "stage", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    source: Mapped[ApplicationSource] = mapped_column(enum_type(ApplicationSource))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage))
    note: Mapped[str] = mapped_column(Text, default="")
    stage_reason: Mapped[str] = mapped_column(String(500), default="")
    # A placement's rates per hour, set when the application is placed (from the opening, else
    # the clinic's rate card); staff may change them. Empty before placement.
    pay_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    bill_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship()
    opening: Mapped[Opening] = relationship()
    history: Mapped[list[StageChange]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="StageChange.created_at",
    )

    @property
    def candidate_history(self) -> list[StageChange]:
        """The moves the candidate is told of: from their own application, or (sourced by the
        agency) from their submission to a clinic; the agency's earlier steps stay internal."""
        if self.source == ApplicationSource.APPLIED:
            starts = [i for i, c in enumerate(self.history) if c.to_stage == Stage.APPLIED]
            told = self.history[starts[-1] if starts else 0 :]
        else:
            starts = [i for i, c in enumerate(self.history) if c.to_stage == Stage.SUBMITTED]
            told = self.history[starts[0] :] if starts else []
        return [c for c in told if c.to_stage not in INTERNAL_STAGES]

    @property
    def candidate_stage(self) -> str:
        """The stage the candidate reads: an internal step shows as the last one they were
        told of (a shortlisted application still reads "applied")."""
        if self.stage not in INTERNAL_STAGES:
            return self.stage
        told = self.candidate_history
        return told[-1].to_stage if told else self.source


class StageChange(Model):
    """One move of an application. `reason` is read by `reason_audience` (and staff);
    `candidate_message` is what the candidate reads about the move, written for them."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_created_at", "created_at"),
        enum_check("reason_audience", Audience),
        enum_check("from_stage", Stage),
        enum_check("to_stage", Stage),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_stage: Mapped[Stage | None] = mapped_column(enum_type(Stage))
    to_stage: Mapped[Stage] = mapped_column(enum_type(Stage))
    reason: Mapped[str] = mapped_column(String(500), default="")
    reason_audience: Mapped[Audience] = mapped_column(
        enum_type(Audience), default=Audience.STAFF, server_default=Audience.STAFF
    )
    candidate_message: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()

    def text_for(self, reader: str) -> str:
        """The words about this move that `reader` (an Audience value) may read."""
        if reader == Audience.STAFF:
            return self.reason
        if reader == Audience.CANDIDATE and self.candidate_message:
            return self.candidate_message
        return self.reason if self.reason_audience == reader else ""


class Note(Model):
    """A staff note about a candidate, an opening or one application, for its `audience`:
    staff only, or also the clinic (a note on a submitted application, shown with it)."""

    __tablename__ = "notes"
    __table_args__ = (enum_check("audience", Audience),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[Audience] = mapped_column(
        enum_type(Audience), default=Audience.STAFF, server_default=Audience.STAFF
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()

"""A candidate's request that a person, not the automated ranking, reviews their applications."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.users import User


class ReviewStatus(StrEnum):
    OPEN = "open"  # waiting for staff
    IN_REVIEW = "in_review"  # a coordinator has taken it
    DONE = "done"  # reviewed by a person; `reply` tells the candidate what happened


class HumanReviewRequest(Model):
    """`message` is the candidate's own words; `reply` is written for the candidate (Audience
    CANDIDATE). Staff-only judgment belongs in staff notes, never here."""

    __tablename__ = "human_review_requests"
    __table_args__ = (
        enum_check("status", ReviewStatus),
        Index("ix_human_review_requests_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(enum_type(ReviewStatus), default=ReviewStatus.OPEN)
    reply: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship()
    handled_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status != ReviewStatus.DONE

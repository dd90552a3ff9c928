"""Pairs of candidate records that may be one person, flagged for staff to merge or dismiss."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.users import User


class DuplicateStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"


class DuplicateFlag(Model):
    """A likely duplicate: the two records (lower id first) and why they look alike.

    A dismissed pair is never flagged again; a merged pair goes with the dropped record (the
    audit log keeps what it held).
    """

    __tablename__ = "duplicate_flags"
    __table_args__ = (
        UniqueConstraint("candidate_id", "other_id"),
        CheckConstraint("candidate_id < other_id", name="ordered_pair"),
        enum_check("status", DuplicateStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (candidate_id, other_id) index serves it (migration 0027).
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    # Staff-facing words: "same phone", "similar name, same ZIP code".
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[DuplicateStatus] = mapped_column(
        enum_type(DuplicateStatus), default=DuplicateStatus.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    candidate: Mapped[Candidate] = relationship(foreign_keys=[candidate_id])
    other: Mapped[Candidate] = relationship(foreign_keys=[other_id])
    resolved_by: Mapped[User | None] = relationship()

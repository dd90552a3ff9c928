"""Staff's lists of candidates: named talent pools and saved candidate searches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Candidate
    from agency.models.users import User


class TalentPool(Model):
    """A named list of candidates staff keep ("Epic front-desk temps, Boston")."""

    __tablename__ = "talent_pools"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    members: Mapped[list[TalentPoolMember]] = relationship(
        back_populates="pool", cascade="all, delete-orphan", passive_deletes=True
    )


class TalentPoolMember(Model):
    __tablename__ = "talent_pool_members"
    __table_args__ = (UniqueConstraint("pool_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("talent_pools.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pool: Mapped[TalentPool] = relationship(back_populates="members")
    candidate: Mapped[Candidate] = relationship()


class SavedSearch(Model):
    """A staff member's candidate search by name, re-run in one click; with `alert`, its owner
    gets a daily e-mail listing the candidates who registered since and match it."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The search form's query arguments ({"role": "receptionist", "availability": ["0", "3"]}).
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alert: Mapped[bool] = mapped_column(Boolean, default=False)
    # Candidates who registered after this were not yet in an alert.
    alerted_until: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship()

"""The audit log: who did or saw what, when and from where. Never holds secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agency.extensions import Model
from agency.models.types import UTCDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        # "Who saw what" about one person: the admin's filter and the candidate's own list.
        Index("ix_audit_events_candidate", "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None] = mapped_column()
    # The candidate whose data the event is about, whatever its object (no foreign key: the
    # record outlives the rows it names).
    candidate_id: Mapped[int | None] = mapped_column()
    ip: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

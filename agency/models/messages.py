"""Staff e-mail to candidates: the templates staff keep and every candidate's communication log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.users import User


class MessageTemplate(Model):
    """A subject and body with {placeholders} (see services.messages.PLACEHOLDERS)."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # in the outbox
    NOT_SENT = "not_sent"  # the person turned e-mail off (or has no login)


class Communication(Model):
    """One message staff sent (or meant to send) a candidate, as rendered."""

    __tablename__ = "communications"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        Index("ix_communications_candidate", "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_templates.id", ondelete="SET NULL")
    )
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("talent_pools.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sent_by: Mapped[User | None] = relationship()

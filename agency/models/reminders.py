"""Which credential reminders a scan has already made, so each threshold is announced once."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from agency.models.candidates import Credential


class CredentialReminder(Model):
    """One reminder made for a credential: its threshold (days) and the expiry it was about.

    The staff summary of a scan lists the rows that scan created; a renewed credential (a new
    expiry date) starts afresh.
    """

    __tablename__ = "credential_reminders"
    __table_args__ = (UniqueConstraint("credential_id", "threshold", "expires_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    threshold: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    credential: Mapped[Credential] = relationship()

"""Interviews: the slots a clinic proposes for a submitted candidate, the one booked, its
reminders and its outcome; and each user's private calendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.applications import Audience
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.applications import Application
    from agency.models.users import User


class InterviewMode(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class InterviewStatus(StrEnum):
    PROPOSED = "proposed"  # slots offered, the candidate has not picked one
    SCHEDULED = "scheduled"  # a slot is booked
    CANCELLED = "cancelled"
    COMPLETED = "completed"  # the clinic recorded the outcome
    DECLINED = "declined"  # the candidate could make none of the proposed times


class InterviewOutcome(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class SlotStatus(StrEnum):
    OPEN = "open"
    BOOKED = "booked"
    RELEASED = "released"  # another slot was booked, or the proposal was withdrawn


# Still open for the candidate, or on the calendar: one such interview per application.
ACTIVE_STATUSES = (InterviewStatus.PROPOSED, InterviewStatus.SCHEDULED)


class Interview(Model):
    """One interview of an application. `uid` and `sequence` are the calendar identity: every
    invitation about it carries the same UID and the sequence rises with each change."""

    __tablename__ = "interviews"
    __table_args__ = (
        enum_check("mode", InterviewMode),
        enum_check("status", InterviewStatus),
        enum_check("outcome", InterviewOutcome),
        enum_check("feedback_audience", Audience),
        Index("ix_interviews_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mode: Mapped[InterviewMode] = mapped_column(enum_type(InterviewMode))
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # For the candidate: who calls whom, where to report. Read by everyone involved.
    details: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[InterviewStatus] = mapped_column(
        enum_type(InterviewStatus), default=InterviewStatus.PROPOSED
    )
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[InterviewOutcome | None] = mapped_column(enum_type(InterviewOutcome))
    # The clinic's (or staff's) words about the interview, read by `feedback_audience` and staff;
    # the candidate reads standard words about the outcome instead.
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_audience: Mapped[Audience] = mapped_column(
        enum_type(Audience), default=Audience.CLINIC
    )
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The candidate's words when declining the proposed times (say, the days that suit them):
    # written for whoever proposes the next times, the clinic and the agency; and the person's
    # own, so their export carries it and erasure blanks it.
    decline_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    slots: Mapped[list[InterviewSlot]] = relationship(
        back_populates="interview",
        cascade="all, delete-orphan",
        order_by="InterviewSlot.starts_at",
    )

    @property
    def ends_at(self) -> datetime | None:
        if self.starts_at is None or self.duration_minutes is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def open_slots(self, now: datetime | None = None) -> list[InterviewSlot]:
        now = now or utcnow()
        return [s for s in self.slots if s.status == SlotStatus.OPEN and s.starts_at > now]

    def feedback_for(self, reader: str) -> str:
        """The recorded feedback if `reader` (an Audience value) may read it."""
        if reader == Audience.STAFF or reader == self.feedback_audience:
            return self.feedback
        return ""


class InterviewSlot(Model):
    __tablename__ = "interview_slots"
    __table_args__ = (enum_check("status", SlotStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[SlotStatus] = mapped_column(enum_type(SlotStatus), default=SlotStatus.OPEN)

    interview: Mapped[Interview] = relationship(back_populates="slots")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class InterviewReminder(Model):
    """A reminder made for an interview's start: each (kind, start) once, so a re-run scan sends
    nothing new and a rescheduled interview is reminded of its new time."""

    __tablename__ = "interview_reminders"
    __table_args__ = (UniqueConstraint("interview_id", "kind", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # "24h" or "2h"
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarFeed(Model):
    """A user's private calendar address: only the SHA-256 of its secret is stored (the secret
    is long and random, so a slow hash adds nothing); a reset replaces it."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

"""Clinics: the agency's customers, approved by staff before they can post."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.extensions import Model
from agency.models.types import UTCDateTime, utcnow
from agency.timezones import zone_name_for_place

if TYPE_CHECKING:
    from agency.models.openings import Opening
    from agency.models.users import User


class Clinic(Model):
    __tablename__ = "clinics"
    __table_args__ = (Index("ix_clinics_approved_created", "approved", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address_line: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip_code: Mapped[str] = mapped_column(String(5), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    specialty: Mapped[str] = mapped_column(String(100), default="")
    ehr_system: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    # IANA name (America/Chicago), filled from the ZIP (else the state) whenever either changes:
    # shifts and interviews are stored in UTC and shown in this zone.
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The first day of the clinic's overtime workweek (Python weekday: 0 = Monday, 6 = Sunday),
    # midnight in time_zone. US FLSA lets the employer fix it; Sunday is the usual.
    workweek_starts_on: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    description: Mapped[str] = mapped_column(Text, default="")
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # use_alter: users and clinics point at each other, so this key is added after both exist.
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    members: Mapped[list[User]] = relationship(
        back_populates="clinic", foreign_keys="User.clinic_id"
    )
    openings: Mapped[list[Opening]] = relationship(back_populates="clinic")

    def __repr__(self) -> str:
        return f"<Clinic {self.id} {self.name!r}>"


@event.listens_for(Clinic, "before_insert")
@event.listens_for(Clinic, "before_update")
def _keep_time_zone(_mapper: object, _connection: object, clinic: Clinic) -> None:
    attrs = inspect(clinic).attrs
    moved = attrs.zip_code.history.has_changes() or attrs.state.history.has_changes()
    if moved or not clinic.time_zone:
        found = zone_name_for_place(clinic.zip_code, clinic.state)
        clinic.time_zone = found or clinic.time_zone or ""

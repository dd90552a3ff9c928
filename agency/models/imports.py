"""Staff imports of candidates or openings from a CSV or XLSX file: the job and its bad rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow


class ImportKind(StrEnum):
    CANDIDATES = "candidates"
    OPENINGS = "openings"


class ImportStatus(StrEnum):
    UPLOADED = "uploaded"  # waiting for staff to confirm the column mapping
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Model):
    """One uploaded file and how far its import got; the progress bar reads this row.

    The file itself stays under UPLOAD_DIR until the job ends (it is deleted then); the counts
    and the bad rows (ImportRowError) stay for the staff's report.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        enum_check("kind", ImportKind),
        enum_check("status", ImportStatus),
        CheckConstraint("rows_done >= 0", name="rows_done_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(enum_type(ImportKind))
    status: Mapped[str] = mapped_column(
        enum_type(ImportStatus), default=ImportStatus.UPLOADED.value, index=True
    )
    # Stored name under UPLOAD_DIR/imports (random); the name staff uploaded, for display.
    stored_name: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    file_format: Mapped[str] = mapped_column(String(8))  # "csv" or "xlsx"
    # Field name -> column index in the file, as staff confirmed it.
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    send_invitations: Mapped[bool] = mapped_column(Boolean, default=True)
    # For openings: the clinic every row is a job order of.
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    existing_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE.value:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))


class ImportRowError(Model):
    """A row the import skipped and why (no cell values: the report names row and column)."""

    __tablename__ = "import_row_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("import_jobs.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)  # as a spreadsheet numbers it (header = 1)
    column_label: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(500))

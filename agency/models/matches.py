"""What the engine proposed (Match), what staff decided (Decision), and the ranker it learned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from agency.extensions import Model
from agency.models.applications import Stage
from agency.models.types import UTCDateTime, enum_check, enum_type, utcnow


class Match(Model):
    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("candidate_id", "opening_id"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        Index("ix_matches_opening_score", "opening_id", "score"),
        # A candidate's rows are found through the unique (candidate_id, opening_id) index:
        # a (candidate_id, score) index cost every rescore's inserts an entry (migration 0026).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    components: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    failed_constraints: Mapped[list[str]] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Decision(Model):
    """A staff decision on a pair: the re-ranker's training label, with the components it saw."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_created_at", "created_at"), enum_check("stage", Stage))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("openings.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage))  # the move that made the decision
    positive: Mapped[bool] = mapped_column(Boolean)
    components: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RankerModel(Model):
    """A trained re-ranker, saved as plain JSON with its evaluation; at most one is active."""

    __tablename__ = "ranker_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    n_decisions: Mapped[int] = mapped_column(Integer, default=0)
    ndcg_model: Mapped[float | None] = mapped_column(Float)
    ndcg_rules: Mapped[float | None] = mapped_column(Float)
    auc_model: Mapped[float | None] = mapped_column(Float)
    auc_rules: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    sklearn_version: Mapped[str] = mapped_column(String(32), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

"""The staff dashboard: the figures, the short lists and the four manager charts; and an
opening list's fill status (shared with the openings search)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Application,
    Clinic,
    Credential,
    Opening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    Stage,
    StageChange,
    utcnow,
)
from agency.services import charts

FUNNEL = [
    ("In pipeline", (Stage.APPLIED, Stage.SOURCED)),
    ("Shortlisted", (Stage.SHORTLISTED,)),
    ("Submitted", (Stage.SUBMITTED,)),
    ("Interview", (Stage.INTERVIEW,)),
    ("Offered", (Stage.OFFERED,)),
    ("Placed", (Stage.PLACED,)),
]
EXPIRY_WINDOW_DAYS = 30
LIST_LIMIT = 8


@dataclass
class OpeningRow:
    opening: Opening
    placed: int
    in_pipeline: int
    days_open: int


@dataclass
class Dashboard:
    counts: dict[str, int]
    openings: list[OpeningRow]
    new_applications: list[Application]
    expiring: list[Credential]
    pending_clinics: list[Clinic]
    failed: list[OutboxMessage]
    charts: dict[str, Any] = field(default_factory=dict)


def _stage_counts(opening_ids: list[int]) -> dict[int, Counter[str]]:
    out: dict[int, Counter[str]] = defaultdict(Counter)
    if not opening_ids:
        return out
    rows = db.session.execute(
        select(Application.opening_id, Application.stage, func.count(Application.id))
        .where(Application.opening_id.in_(opening_ids))
        .group_by(Application.opening_id, Application.stage)
    )
    for oid, stage, n in rows:
        out[oid][stage] = n
    return out


def opening_rows(openings: list[Opening], today: date | None = None) -> list[OpeningRow]:
    """Fill status (placed of positions, in pipeline) and days open for each opening."""
    now = utcnow()
    counts = _stage_counts([o.id for o in openings])
    rows = []
    for o in openings:
        c = counts.get(o.id, Counter())
        started = o.posted_at or o.created_at or now
        closed = {Stage.PLACED, Stage.REJECTED, Stage.WITHDRAWN}
        rows.append(
            OpeningRow(
                opening=o,
                placed=c.get(Stage.PLACED, 0),
                in_pipeline=sum(n for s, n in c.items() if s not in closed),
                days_open=max((now - started).days, 0),
            )
        )
    return rows


def dashboard(today: date | None = None) -> Dashboard:
    today = today or date.today()
    now = utcnow()
    week_ago = now - timedelta(days=7)
    soon = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    expiring_where = and_(
        Credential.expires_on.is_not(None),
        Credential.expires_on >= today,
        Credential.expires_on <= soon,
    )
    counts_row = db.session.execute(
        select(
            select(func.count(Opening.id))
            .where(Opening.status == OpeningStatus.OPEN)
            .scalar_subquery(),
            select(func.count(Application.id))
            .where(Application.created_at >= week_ago)
            .scalar_subquery(),
            select(func.count(Credential.id)).where(expiring_where).scalar_subquery(),
            select(func.count(Clinic.id)).where(Clinic.approved.is_(False)).scalar_subquery(),
            select(func.count(OutboxMessage.id))
            .where(OutboxMessage.status == OutboxStatus.DEAD)
            .scalar_subquery(),
        )
    ).one()
    counts = dict(
        zip(
            ["open_openings", "new_applications", "expiring", "clinics_pending", "failed"],
            (int(v or 0) for v in counts_row),
            strict=True,
        )
    )
    openings = list(
        db.session.execute(
            select(Opening)
            .options(joinedload(Opening.clinic))
            .where(Opening.status == OpeningStatus.OPEN)
            .order_by(func.coalesce(Opening.posted_at, Opening.created_at), Opening.id)
            .limit(LIST_LIMIT)
        ).scalars()
    )
    new_apps = list(
        db.session.execute(
            select(Application)
            .options(
                joinedload(Application.candidate),
                joinedload(Application.opening).joinedload(Opening.clinic),
            )
            .where(Application.created_at >= week_ago)
            .order_by(Application.created_at.desc(), Application.id.desc())
            .limit(LIST_LIMIT)
        ).scalars()
    )
    expiring = list(
        db.session.execute(
            select(Credential)
            .options(joinedload(Credential.candidate), joinedload(Credential.credential_type))
            .where(expiring_where)
            .order_by(Credential.expires_on, Credential.id)
            .limit(LIST_LIMIT)
        ).scalars()
    )
    pending = list(
        db.session.execute(
            select(Clinic)
            .where(Clinic.approved.is_(False))
            .order_by(Clinic.created_at)
            .limit(LIST_LIMIT)
        ).scalars()
    )
    failed = list(
        db.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.DEAD)
            .order_by(OutboxMessage.created_at.desc())
            .limit(5)
        ).scalars()
    )
    board = Dashboard(
        counts=counts,
        openings=opening_rows(openings),
        new_applications=new_apps,
        expiring=expiring,
        pending_clinics=pending,
        failed=failed,
    )
    board.charts = dashboard_charts(today)
    return board


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def dashboard_charts(today: date) -> dict[str, Any]:
    """The four manager charts as SVG markup (four queries)."""
    # Each application counts at every step up to the furthest one it reached.
    steps = [stages for _, stages in FUNNEL]
    rank = case(
        *[(StageChange.to_stage.in_(stages), i) for i, stages in enumerate(steps)], else_=-1
    )
    furthest = select(func.max(rank).label("r")).group_by(StageChange.application_id).subquery()
    counts = db.session.execute(select(furthest.c.r, func.count()).group_by(furthest.c.r))
    at: dict[int | None, int] = {r: n for r, n in counts}
    funnel = [
        (label, float(sum(n for r, n in at.items() if r is not None and r >= i)))
        for i, (label, _) in enumerate(FUNNEL)
    ]

    weeks = [_week_start(today) - timedelta(weeks=i) for i in range(11, -1, -1)]
    since = datetime.combine(weeks[0], time.min, tzinfo=UTC)
    placed_at = db.session.execute(
        select(StageChange.created_at).where(
            StageChange.to_stage == Stage.PLACED, StageChange.created_at >= since
        )
    ).scalars()
    per_week = Counter(_week_start(ts.date()) for ts in placed_at)

    months = _last_months(today, 6)
    month_since = datetime.combine(months[0], time.min, tzinfo=UTC)
    filled = db.session.execute(
        select(Opening.posted_at, Opening.created_at, Opening.filled_at).where(
            Opening.filled_at.is_not(None), Opening.filled_at >= month_since
        )
    ).all()
    fill_days: dict[date, list[float]] = defaultdict(list)
    for posted, created, filled_at in filled:
        if filled_at is None:  # excluded by the query; the column type allows it
            continue
        start = posted or created
        fill_days[filled_at.date().replace(day=1)].append(
            max((filled_at - start).total_seconds() / 86400, 0.0)
        )

    demand = db.session.execute(
        select(Opening.role_type, Opening.created_at, Opening.positions).where(
            Opening.created_at >= month_since
        )
    ).all()
    by_role: dict[str, Counter[date]] = defaultdict(Counter)
    for role, created, positions in demand:
        by_role[role][created.date().replace(day=1)] += positions or 1
    month_labels = [m.strftime("%b") for m in months]
    week_labels = [w.strftime("%-d %b") if i % 2 == 0 else "" for i, w in enumerate(weeks)]
    return {
        "funnel": charts.hbar_chart("chart-funnel", "Pipeline funnel (applications)", funnel),
        "placements": charts.column_chart(
            "chart-placements",
            "Placements per week (last 12 weeks)",
            week_labels,
            [charts.Series("Placements", [float(per_week.get(w, 0)) for w in weeks])],
        ),
        "time_to_fill": charts.column_chart(
            "chart-ttf",
            "Average days to fill, by month filled",
            month_labels,
            [
                charts.Series(
                    "Days to fill",
                    [
                        round(sum(fill_days[m]) / len(fill_days[m]), 1) if fill_days[m] else None
                        for m in months
                    ],
                )
            ],
            unit="d",
        ),
        "demand": charts.column_chart(
            "chart-demand",
            "Positions posted per month: receptionist vs secretary",
            month_labels,
            [
                charts.Series(name, [float(by_role[role].get(m, 0)) for m in months])
                for role, name in (
                    ("receptionist", "Receptionist"),
                    ("secretary", "Secretary"),
                    ("hybrid", "Hybrid"),
                )
            ],
        ),
        "has_placements": bool(per_week),
        "has_fills": bool(fill_days),
    }


def _last_months(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))

"""Read-side queries of the staff workspace: dashboard figures, searches and page data.

Each function issues a fixed number of statements whatever the number of rows it returns.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Candidate,
    CandidateSkill,
    Clinic,
    Credential,
    CredentialType,
    Note,
    Opening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    Skill,
    Stage,
    StageChange,
    User,
    VerificationStatus,
    utcnow,
)
from agency.models.candidates import profile_loaded
from agency.models.openings import opening_with_requirements
from agency.services import charts
from agency.services.like import ESCAPE, contains

FUNNEL = [
    ("In pipeline", (Stage.APPLIED.value, Stage.SOURCED.value)),
    ("Shortlisted", (Stage.SHORTLISTED.value,)),
    ("Submitted", (Stage.SUBMITTED.value,)),
    ("Interview", (Stage.INTERVIEW.value,)),
    ("Offered", (Stage.OFFERED.value,)),
    ("Placed", (Stage.PLACED.value,)),
]
EXPIRY_WINDOW_DAYS = 30
LIST_LIMIT = 8


# ---------- Dashboard ----------


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
        closed = {Stage.PLACED.value, Stage.REJECTED.value, Stage.WITHDRAWN.value}
        rows.append(
            OpeningRow(
                opening=o,
                placed=c.get(Stage.PLACED.value, 0),
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
            .where(Opening.status == OpeningStatus.OPEN.value)
            .scalar_subquery(),
            select(func.count(Application.id))
            .where(Application.created_at >= week_ago)
            .scalar_subquery(),
            select(func.count(Credential.id)).where(expiring_where).scalar_subquery(),
            select(func.count(Clinic.id)).where(Clinic.approved.is_(False)).scalar_subquery(),
            select(func.count(OutboxMessage.id))
            .where(OutboxMessage.status == OutboxStatus.DEAD.value)
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
            .where(Opening.status == OpeningStatus.OPEN.value)
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
            .where(OutboxMessage.status == OutboxStatus.DEAD.value)
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
    at = dict(db.session.execute(select(furthest.c.r, func.count()).group_by(furthest.c.r)).all())
    funnel = [
        (label, float(sum(n for r, n in at.items() if r is not None and r >= i)))
        for i, (label, _) in enumerate(FUNNEL)
    ]

    weeks = [_week_start(today) - timedelta(weeks=i) for i in range(11, -1, -1)]
    since = datetime.combine(weeks[0], time.min, tzinfo=UTC)
    placed_at = db.session.execute(
        select(StageChange.created_at).where(
            StageChange.to_stage == Stage.PLACED.value, StageChange.created_at >= since
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


# ---------- Searches ----------


@dataclass
class CandidateFilters:
    q: str = ""
    role: str = ""
    skill: str = ""
    skill_level: int = 0
    credential: str = ""
    zip_code: str = ""
    radius: float | None = None
    availability: int = 0
    status: str = "active"


def candidate_search(f: CandidateFilters, page: int, per_page: int = 25) -> Any:
    """Candidates matching every given filter, newest first, as a Flask-SQLAlchemy page."""
    return db.paginate(candidate_query(f), page=page, per_page=per_page, error_out=False)


def candidate_query(f: CandidateFilters) -> Any:
    """Candidates matching every given filter, newest first (the search page and its export)."""
    query = select(Candidate).options(joinedload(Candidate.user))
    if f.status:
        query = query.where(Candidate.status == f.status)
    if f.q:
        like = contains(f.q.lower())
        query = query.where(
            or_(
                func.lower(Candidate.first_name + " " + Candidate.last_name).like(like, ESCAPE),
                func.lower(Candidate.summary).like(like, ESCAPE),
                func.lower(Candidate.resume_text).like(like, ESCAPE),
                Candidate.user.has(func.lower(User.email).like(like, ESCAPE)),
                Candidate.zip_code == f.q,
            )
        )
    if f.role:
        query = query.where(cast(Candidate.desired_roles, String).like(f'%"{f.role}"%'))
    if f.skill:
        query = query.where(
            exists().where(
                CandidateSkill.candidate_id == Candidate.id,
                CandidateSkill.skill_id == Skill.id,
                Skill.code == f.skill,
                CandidateSkill.level >= max(f.skill_level, 1),
            )
        )
    if f.credential:
        query = query.where(
            exists().where(
                Credential.candidate_id == Candidate.id,
                Credential.credential_type_id == CredentialType.id,
                CredentialType.code == f.credential,
                Credential.verification_status == VerificationStatus.VERIFIED.value,
                or_(Credential.expires_on.is_(None), Credential.expires_on >= date.today()),
            )
        )
    if f.availability:
        query = query.where(Candidate.availability_mask.op("&")(f.availability) == f.availability)
    if f.radius is not None and f.zip_code:
        from agency.services import geo

        loc = geo.lookup_zip(f.zip_code)
        if loc is not None:
            # Equirectangular distance: exact enough under a few hundred miles, plain SQL
            # arithmetic on both SQLite and PostgreSQL.
            kx = 69.17 * math.cos(math.radians(loc.lat))
            dy = (Candidate.lat - loc.lat) * 69.0
            dx = (Candidate.lon - loc.lon) * kx
            query = query.where(
                Candidate.lat.is_not(None), dy * dy + dx * dx <= f.radius * f.radius
            )
    return query.order_by(Candidate.updated_at.desc(), Candidate.id.desc())


@dataclass
class OpeningFilters:
    q: str = ""
    clinic_id: int | None = None
    role: str = ""
    status: str = ""
    start_from: date | None = None
    start_to: date | None = None


def opening_query(f: OpeningFilters) -> Any:
    query = select(Opening).options(joinedload(Opening.clinic))
    if f.q:
        like = contains(f.q.lower())
        query = query.where(
            or_(
                func.lower(Opening.title).like(like, ESCAPE),
                Opening.clinic.has(func.lower(Clinic.name).like(like, ESCAPE)),
            )
        )
    if f.clinic_id:
        query = query.where(Opening.clinic_id == f.clinic_id)
    if f.role:
        query = query.where(Opening.role_type == f.role)
    if f.status:
        query = query.where(Opening.status == f.status)
    if f.start_from:
        query = query.where(Opening.start_date >= f.start_from)
    if f.start_to:
        query = query.where(Opening.start_date <= f.start_to)
    return query.order_by(Opening.start_date, Opening.id)


def opening_search(f: OpeningFilters, page: int, per_page: int = 25) -> Any:
    return db.paginate(opening_query(f), page=page, per_page=per_page, error_out=False)


def clinic_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Clinic.id, Clinic.name).order_by(Clinic.name)).all()
    return [(str(cid), name) for cid, name in rows]


def skill_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Skill.code, Skill.name).order_by(Skill.name)).all()
    return [(code, name) for code, name in rows]


def credential_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(CredentialType.code, CredentialType.name).order_by(CredentialType.code)
    ).all()
    return [(code, f"{code} — {name}" if name != code else code) for code, name in rows]


# ---------- Candidate page ----------


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    body: str = ""
    kind: str = ""


def load_candidate(candidate_id: int) -> Candidate | None:
    return db.session.execute(
        select(Candidate)
        .options(
            joinedload(Candidate.user),
            *profile_loaded(),
        )
        .where(Candidate.id == candidate_id)
    ).scalar_one_or_none()


def candidate_applications(candidate_id: int) -> list[Application]:
    return list(
        db.session.execute(
            select(Application)
            .options(
                joinedload(Application.opening).joinedload(Opening.clinic),
                selectinload(Application.history).joinedload(StageChange.actor),
            )
            .where(Application.candidate_id == candidate_id)
            .order_by(Application.updated_at.desc())
        ).scalars()
    )


def candidate_notes(candidate_id: int) -> list[Note]:
    return list(
        db.session.execute(
            select(Note)
            .options(joinedload(Note.author))
            .where(
                or_(
                    Note.candidate_id == candidate_id,
                    # A list, not a subquery: PostgreSQL then ORs two index scans instead of
                    # reading every note.
                    Note.application_id.in_(
                        db.session.execute(
                            select(Application.id).where(Application.candidate_id == candidate_id)
                        )
                        .scalars()
                        .all()
                    ),
                )
            )
            .order_by(Note.created_at.desc())
        ).scalars()
    )


def users_by_id(ids: set[int | None]) -> dict[int, User]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(wanted))).scalars()}


def candidate_timeline(
    candidate: Candidate, applications: list[Application], notes: list[Note]
) -> list[TimelineEntry]:
    """Profile created, stage changes, notes and credential checks, newest first."""
    entries = [TimelineEntry(candidate.created_at, "Profile created", kind="muted")]
    for app in applications:
        for change in app.history:
            who = change.actor.email if change.actor else "the candidate"
            title = f"{app.opening.title}: {change.to_stage.replace('_', ' ')}"
            body = f"by {who}" + (f" — {change.reason}" if change.reason else "")
            kind = (
                "success"
                if change.to_stage == Stage.PLACED.value
                else "danger"
                if change.to_stage == Stage.REJECTED.value
                else ""
            )
            entries.append(TimelineEntry(change.created_at, title, body, kind))
    for note in notes:
        who = note.author.email if note.author else "someone"
        entries.append(TimelineEntry(note.created_at, f"Note by {who}", note.body, "muted"))
    verifiers = users_by_id({c.verified_by_id for c in candidate.credentials})
    for cred in candidate.credentials:
        if cred.verified_at:
            who = verifiers.get(cred.verified_by_id or 0)
            entries.append(
                TimelineEntry(
                    cred.verified_at,
                    f"{cred.credential_type.code} {cred.verification_status}",
                    f"by {who.email}" if who else "",
                    "success" if cred.verification_status == "verified" else "danger",
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def openings_by_id(ids: list[int]) -> dict[int, Opening]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Opening).options(joinedload(Opening.clinic)).where(Opening.id.in_(ids))
    ).scalars()
    return {o.id: o for o in rows}


# ---------- Audit log ----------


def audit_page(
    action: str, actor: str, page: int, per_page: int = 50, candidate_id: int | None = None
) -> Any:
    query = audit_query(action, actor, candidate_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def audit_query(action: str, actor: str, candidate_id: int | None = None) -> Any:
    """Audit events, newest first, filtered as the audit page's form says (and its export)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if candidate_id is not None:
        query = query.where(AuditEvent.candidate_id == candidate_id)
    if actor:
        query = query.where(
            AuditEvent.actor_id.in_(
                select(User.id).where(func.lower(User.email).like(contains(actor.lower()), ESCAPE))
            )
        )
    return query


def audit_actions() -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        ).scalars()
    )


# ---------- Opening review ----------


@dataclass
class ReviewFilters:
    eligible_only: bool = False
    near_misses: bool = False  # rank the ineligible of the pool too
    applied_only: bool = False
    max_miles: float | None = None
    stage: str = ""  # a Stage value, "none" (not in the pipeline) or "" (any)


@dataclass(frozen=True)
class ReviewPerson:
    """What a review row shows of a candidate. Plain columns, not Candidate objects: the ORM
    set up 15 deferred attributes on each of the 25 rows it never read."""

    id: int
    first_name: str
    last_name: str
    years_experience: float
    zip_code: str
    lat: float | None
    lon: float | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ReviewRow:
    rank: int
    candidate: ReviewPerson
    application: Application | None
    score: float
    eligible: bool
    explanation: Any
    miles: float | None


def load_opening(opening_id: int) -> Opening | None:
    return opening_with_requirements(Opening.id == opening_id)


def opening_review(opening: Opening, k: int, f: ReviewFilters) -> tuple[list[ReviewRow], int]:
    """The engine's top k eligible candidates of the pool (of the whole pool, eligible or not,
    with `near_misses`) plus every applicant outside that top k, filtered; and the number before
    filtering."""
    from agency.services import scoring
    from matching.geo import miles_between

    # The workers keep each opening's proposals as Match rows: read those when they are current
    # (ranking 100,000 candidates live on every view is what the rescore jobs are for).
    stored = None if f.near_misses else scoring.stored_ranking(opening, k)
    ranked = (
        stored
        if stored is not None
        else scoring.rank_opening(opening, k=k, include_ineligible=f.near_misses)
    )
    applications = {
        a.candidate_id: a
        for a in db.session.execute(
            select(Application).where(Application.opening_id == opening.id)
        ).scalars()
    }
    scored: dict[int, tuple[float, bool, Any]] = {
        m.candidate_id: (m.score, m.eligible, m.explanation) for m in ranked
    }
    missing = [cid for cid in applications if cid not in scored]
    if missing:
        # Applicants outside the top k: explained from the pool's own rows (no reload).
        for cid, expl in scoring.explain_in_pool(opening, missing).items():
            scored[cid] = (expl.score, expl.eligible, expl)
    people = (
        {
            row.id: ReviewPerson(*row)
            for row in db.session.execute(
                # What a row shows: not the resume or the JSON lists (half the load time).
                select(
                    Candidate.id,
                    Candidate.first_name,
                    Candidate.last_name,
                    Candidate.years_experience,
                    Candidate.zip_code,
                    Candidate.lat,
                    Candidate.lon,
                ).where(Candidate.id.in_(list(scored)))
            )
        }
        if scored
        else {}
    )
    clinic = opening.clinic
    # Eligible candidates first, always: an ineligible one never sits above an eligible one,
    # whatever the scores (applicants and near misses included).
    order = sorted(scored.items(), key=lambda kv: (not kv[1][1], -kv[1][0], kv[0]))
    rows: list[ReviewRow] = []
    for position, (cid, (score, ok, expl)) in enumerate(order, start=1):
        cand = people.get(cid)
        if cand is None:
            continue
        miles = None
        if clinic and clinic.lat is not None and cand.lat is not None and cand.lon is not None:
            miles = miles_between(cand.lat, cand.lon, clinic.lat, clinic.lon)
        rows.append(ReviewRow(position, cand, applications.get(cid), score, ok, expl, miles))
    total = len(rows)
    if f.eligible_only:
        rows = [r for r in rows if r.eligible]
    if f.applied_only:
        rows = [r for r in rows if r.application is not None]
    if f.max_miles is not None:
        rows = [r for r in rows if r.miles is not None and r.miles <= f.max_miles]
    if f.stage == "none":
        rows = [r for r in rows if r.application is None]
    elif f.stage:
        rows = [r for r in rows if r.application is not None and r.application.stage == f.stage]
    return rows, total


def opening_notes(opening_id: int) -> list[Note]:
    return list(
        db.session.execute(
            select(Note)
            .options(joinedload(Note.author))
            .where(Note.opening_id == opening_id)
            .order_by(Note.created_at.desc())
            .limit(50)
        ).scalars()
    )

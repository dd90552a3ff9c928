"""A candidate applies to an opening (scored at once, so everyone sees the fit immediately),
and withdraws an application."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from agency.extensions import db
from agency.models import (
    Application,
    ApplicationSource,
    Audience,
    Candidate,
    CandidateStatus,
    Opening,
    OpeningStatus,
    Stage,
    StageChange,
    User,
)
from agency.services import audit, notifications, pipeline
from agency.services.engine import MatchExplanation, engine

MAX_NOTE = 2000


class ApplyError(ValueError):
    """Why this application cannot be made, politely."""


@dataclass
class Applied:
    application: Application
    explanation: MatchExplanation


def existing(candidate: Candidate, opening: Opening) -> Application | None:
    """The candidate's application to the opening as far as they know of one."""
    return db.session.execute(
        select(Application).where(
            Application.candidate_id == candidate.id,
            Application.opening_id == opening.id,
            pipeline.known_to_candidate(),
        )
    ).scalar_one_or_none()


def _untold(candidate: Candidate, opening: Opening) -> Application | None:
    """A row the agency made for this pair (sourced from the ranking) that the candidate was
    never told about."""
    return db.session.execute(
        select(Application).where(
            Application.candidate_id == candidate.id,
            Application.opening_id == opening.id,
            ~pipeline.known_to_candidate(),
        )
    ).scalar_one_or_none()


def of_user(user_id: int, opening_id: int) -> Application | None:
    """The application the candidate with this login made to the opening, if any (the job page
    says "You applied on ..." instead of offering to apply again)."""
    return db.session.execute(
        select(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Candidate.user_id == user_id, Application.opening_id == opening_id)
    ).scalar_one_or_none()


def closed_to(candidate: Candidate, opening: Opening) -> str | None:
    """Why this candidate cannot apply to this opening now, an earlier application aside."""
    if opening.status != OpeningStatus.OPEN:
        return "This opening is not taking applications any more."
    if candidate.status != CandidateStatus.ACTIVE:
        return "Your profile is not active, so you cannot apply right now."
    return None


@dataclass(frozen=True)
class Standing:
    """Where a candidate stands with an opening before applying, read once per request: the
    apply page decides what to show from it and `apply` trusts it instead of reading it again."""

    existing: Application | None  # an application they know of
    closed: str | None  # why they cannot apply now, an earlier application aside

    @property
    def refusal(self) -> str | None:
        """Why this candidate cannot apply to this opening now, or None."""
        if self.closed:
            return self.closed
        if self.existing is not None:
            return (
                f"You already applied to this opening on {self.existing.created_at:%b %d, %Y}; "
                "you can follow it on your dashboard."
            )
        return None


def standing(candidate: Candidate, opening: Opening) -> Standing:
    return Standing(existing(candidate, opening), closed_to(candidate, opening))


def apply(
    candidate: Candidate,
    opening: Opening,
    note: str,
    actor: User,
    ip: str = "",
    checked: Standing | None = None,
) -> Applied:
    """Create the application with its first stage change, score the pair, tell everyone.

    `checked`: the pair's `standing` the caller read earlier in this transaction (read here when
    not given). Everything is staged in the caller's transaction; raises ApplyError with
    nothing written (a race with a second click ends in the unique constraint).
    """
    problem = (checked or standing(candidate, opening)).refusal
    if problem:
        raise ApplyError(problem)
    # Sourced earlier without their knowing: their own application now takes that row's place.
    application = _untold(candidate, opening)
    from_stage = application.stage if application is not None else None
    if application is None:
        application = Application(candidate=candidate, opening=opening)
        db.session.add(application)
    application.source = ApplicationSource.APPLIED
    application.stage = Stage.APPLIED
    application.stage_reason = ""
    application.note = (note or "").strip()[:MAX_NOTE]
    db.session.add(
        StageChange(
            application=application,
            actor_id=actor.id,
            from_stage=from_stage,
            to_stage=Stage.APPLIED,
            reason_audience=Audience.CANDIDATE,
        )
    )
    db.session.flush()
    explanation = engine().explain(candidate, opening)
    engine().save_match(candidate.id, opening.id, explanation)
    audit.record(
        "application_created",
        actor_id=actor.id,
        object_type="application",
        object_id=application.id,
        ip=ip,
        details={"opening_id": opening.id, "score": round(explanation.score, 1)},
    )
    notifications.application_received(application)
    return Applied(application, explanation)


def withdraw(application: Application, actor: User, reason: str, ip: str = "") -> StageChange:
    """The candidate withdraws; raises pipeline.PipelineError when the stage does not allow it."""
    return pipeline.move(application, Stage.WITHDRAWN, actor, reason, ip)


def can_withdraw(application: Application) -> bool:
    return Stage.WITHDRAWN in pipeline.allowed_moves(application, "candidate")

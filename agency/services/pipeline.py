"""Moving an application through the pipeline: who may make which move, and what it records.

Every move writes a StageChange (history), a Decision (a training label for the re-ranker),
an audit event and the notifications, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select

from agency.extensions import db
from agency.models import (
    INTERNAL_STAGES,
    Application,
    ApplicationSource,
    Audience,
    Candidate,
    CandidateStatus,
    Decision,
    Match,
    Opening,
    OpeningStatus,
    Role,
    Stage,
    StageChange,
    User,
    utcnow,
)
from agency.services import audit, rates

S = Stage
# The moves staff may make; clinics and candidates get a subset (below).
_MOVES: dict[Stage, frozenset[Stage]] = {
    S.APPLIED: frozenset({S.SHORTLISTED, S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.SOURCED: frozenset({S.SHORTLISTED, S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.INTERVIEW, S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEW: frozenset({S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.OFFERED: frozenset({S.PLACED, S.REJECTED, S.WITHDRAWN}),
    S.PLACED: frozenset(),
    S.REJECTED: frozenset({S.SHORTLISTED}),  # staff may reconsider
    S.WITHDRAWN: frozenset(),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    k.value: frozenset(v.value for v in vs) for k, vs in _MOVES.items()
}
CLINIC_MOVES = frozenset({S.INTERVIEW, S.OFFERED, S.REJECTED})
CANDIDATE_MOVES = frozenset({S.WITHDRAWN})
NEEDS_REASON = frozenset({S.REJECTED, S.WITHDRAWN})
POSITIVE = frozenset({S.SHORTLISTED, S.SUBMITTED, S.INTERVIEW, S.OFFERED, S.PLACED})
NEGATIVE = frozenset({S.REJECTED})


# What the candidate reads about a move somebody else made, written for them: the reason
# itself stays with its own audience (a staff reason with staff, a clinic's with the agency).
CLINIC_DECLINED = "The clinic chose another candidate for this opening."
AGENCY_REJECTED = "The agency will not put you forward for this opening."
AGENCY_WITHDREW = "The agency closed your application for this opening."
# Where a stage passes through a clinic's hands, a sourced candidate has been told about it.
TOLD_STAGES = frozenset({S.SUBMITTED, S.INTERVIEW, S.OFFERED, S.PLACED})


class PipelineError(ValueError):
    """A move that is not allowed, with the reason in words a user can act on."""


class NotEligible(PipelineError):
    """Submitting a candidate the engine marks not eligible needs staff's confirmation."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(
            "The engine marks this candidate not eligible: "
            + "; ".join(reasons)
            + ". Confirm to submit anyway."
        )


def reason_audience(role: str) -> Audience:
    """Who reads the reason a user of this role types: their own side of the table."""
    if role == Role.CLINIC:
        return Audience.CLINIC
    if role == Role.CANDIDATE:
        return Audience.CANDIDATE
    return Audience.STAFF


def standard_candidate_message(to_stage: str, role: str) -> str:
    if role == Role.CANDIDATE:
        return ""  # their own words (audience: the candidate) are what they read
    if to_stage == S.REJECTED:
        return CLINIC_DECLINED if role == Role.CLINIC else AGENCY_REJECTED
    if to_stage == S.WITHDRAWN:
        return AGENCY_WITHDREW
    return ""


def candidate_knows(application: Application) -> bool:
    """Whether the candidate knows of this application: they applied, or the agency put them in
    front of a clinic. Sourcing from the ranking and rejecting before that stay internal."""
    if application.source == ApplicationSource.APPLIED:
        return True
    return any(change.to_stage in TOLD_STAGES for change in application.history)


def known_to_candidate() -> ColumnElement[bool]:
    """`candidate_knows` as a query condition: the applications a candidate's pages list."""
    told = exists().where(
        StageChange.application_id == Application.id, StageChange.to_stage.in_(TOLD_STAGES)
    )
    return or_(Application.source == ApplicationSource.APPLIED, told)


def ineligibility(candidate: Candidate, opening: Opening) -> list[str]:
    """The engine's reasons this candidate is not eligible for the opening (empty: eligible)."""
    from agency.services.engine import engine

    explanation = engine().explain(candidate, opening)
    if explanation.eligible:
        return []
    return list(explanation.failed_constraints) or ["not eligible"]


ERASED = "This candidate erased their account: their applications are closed for good."
WITHDRAWN = "This candidate has withdrawn."


def is_erased(candidate: Candidate | None) -> bool:
    return candidate is not None and candidate.status == CandidateStatus.ERASED


def allowed_moves(application: Application, role: str) -> list[str]:
    if is_erased(application.candidate):
        # Erasure closed the application; not even staff may reopen it (see privacy.erase).
        return []
    moves = TRANSITIONS.get(application.stage, frozenset())
    if role == Role.CLINIC:
        moves = moves & CLINIC_MOVES
    elif role == Role.CANDIDATE:
        moves = moves & CANDIDATE_MOVES
    elif role not in (Role.STAFF, Role.ADMIN):
        moves = frozenset()
    order = [s.value for s in Stage]
    return sorted(moves, key=order.index)


def placement_problems(
    candidate: Candidate, opening: Opening, today: date | None = None
) -> list[str]:
    """Why this candidate may not be placed: each required credential missing, unverified, or
    not valid on both today and the start date (once the start has passed, an expired
    credential must not count again)."""
    today = today or date.today()
    start: date = opening.start_date
    held = {c.credential_type.code: c for c in candidate.credentials}
    problems = []
    for required in opening.credentials:
        code = required.credential_type.code
        cred = held.get(code)
        if cred is None:
            problems.append(f"{code} is required and missing")
        elif cred.verification_status != "verified":
            problems.append(f"{code} is not verified yet")
        elif cred.expires_on is not None and cred.expires_on < today:
            problems.append(f"{code} expired {cred.expires_on.isoformat()}")
        elif cred.expires_on is not None and cred.expires_on < start:
            problems.append(
                f"{code} expires {cred.expires_on.isoformat()}, before the "
                f"{start.isoformat()} start"
            )
    return problems


def _decision(application: Application, stage: str, actor: User | None) -> None:
    if stage not in POSITIVE and stage not in NEGATIVE:
        return
    match = db.session.execute(
        select(Match).where(
            Match.candidate_id == application.candidate_id,
            Match.opening_id == application.opening_id,
        )
    ).scalar_one_or_none()
    if match is not None:
        components, score = dict(match.components), match.score
    else:
        from agency.services.engine import engine

        expl = engine().explain(application.candidate, application.opening)
        components, score = expl.components, expl.score
    db.session.add(
        Decision(
            candidate_id=application.candidate_id,
            opening_id=application.opening_id,
            actor_id=actor.id if actor else None,
            stage=stage,
            positive=stage in POSITIVE,
            components=components,
            score=score,
        )
    )


def _notify(application: Application, change: StageChange) -> None:
    from agency.services import notifications, webhooks

    webhooks.stage_changed(application, change)

    if change.to_stage == S.SUBMITTED:
        notifications.submitted_to_clinic(application)
    if change.to_stage == S.PLACED:
        notifications.placement_confirmed(application)
    elif change.to_stage not in INTERNAL_STAGES and candidate_knows(application):
        # Shortlisting is internal to the agency, and so is everything about a person the agency
        # sourced until it submits them: the candidate hears when something happens to them.
        notifications.stage_changed(application, change)


def _mark_filled(opening: Opening) -> None:
    placed = (
        db.session.scalar(
            select(func.count(Application.id)).where(
                Application.opening_id == opening.id, Application.stage == S.PLACED
            )
        )
        or 0
    )
    if placed >= opening.positions and opening.status == OpeningStatus.OPEN:
        opening.status = OpeningStatus.FILLED
        opening.filled_at = utcnow()


def move(
    application: Application,
    to_stage: str,
    actor: User,
    reason: str = "",
    ip: str = "",
    *,
    candidate_message: str = "",
    clinic_note: str = "",
    confirm_ineligible: bool = False,
) -> StageChange:
    """Move one application; raises PipelineError (nothing written) when it is not allowed.

    `reason` is read by the actor's side (staff, the clinic, the candidate: reason_audience);
    staff may write `candidate_message` (what the candidate reads instead of the standard words)
    and, when submitting, `clinic_note` (what the clinic reads with the submittal). Submitting a
    candidate the engine marks not eligible raises NotEligible unless `confirm_ineligible`.
    """
    reason = (reason or "").strip()[:500]
    is_staff = actor.role in (Role.STAFF, Role.ADMIN)
    candidate_message = (candidate_message or "").strip()[:500] if is_staff else ""
    if is_erased(application.candidate):
        # Only the agency learns why; a clinic reads what its portal shows ("withdrawn").
        raise PipelineError(ERASED if actor.role in (Role.STAFF, Role.ADMIN) else WITHDRAWN)
    if to_stage not in allowed_moves(application, actor.role):
        raise PipelineError(
            f"Cannot move from {application.stage} to {to_stage}."
            if to_stage in TRANSITIONS
            else f"Unknown stage {to_stage!r}."
        )
    if to_stage in NEEDS_REASON and not reason:
        raise PipelineError("Please give a reason.")
    if to_stage in TOLD_STAGES and application.candidate.awaiting_claim:
        raise PipelineError(
            "This person has not claimed the record staff entered for them yet (the invitation"
            " e-mail asks them to set a password and accept the terms): until they do, nothing"
            " of it may go to a clinic."
        )
    if to_stage == S.PLACED:
        problems = placement_problems(application.candidate, application.opening)
        if problems:
            raise PipelineError("Cannot place: " + "; ".join(problems) + ".")
    if to_stage == S.SUBMITTED and not confirm_ineligible:
        reasons = ineligibility(application.candidate, application.opening)
        if reasons:
            raise NotEligible(reasons)
    change = StageChange(
        application=application,
        actor_id=actor.id,
        from_stage=application.stage,
        to_stage=to_stage,
        reason=reason,
        reason_audience=reason_audience(actor.role),
        candidate_message=candidate_message or standard_candidate_message(to_stage, actor.role),
    )
    db.session.add(change)
    application.stage = Stage(to_stage)
    application.stage_reason = reason
    application.updated_at = utcnow()
    _decision(application, to_stage, actor)
    db.session.flush()
    if to_stage == S.PLACED:
        _mark_filled(application.opening)
        rates.stamp_placement(application)
    audit.record(
        "stage_changed" if to_stage != S.PLACED else "placement",
        actor_id=actor.id,
        object_type="application",
        object_id=application.id,
        ip=ip,
        details={"from": change.from_stage, "to": to_stage, "reason": reason},
    )
    if to_stage in (S.REJECTED, S.WITHDRAWN):
        from agency.services import interviews

        # A closed application has nothing to interview for: its open interview is cancelled.
        interviews.close_for(application, actor)
    if clinic_note.strip() and is_staff and to_stage == S.SUBMITTED:
        from agency.services import notes

        notes.add(actor, clinic_note, application=application, audience=Audience.CLINIC, ip=ip)
    _notify(application, change)
    return change


def source(candidate: Candidate, opening: Opening, actor: User) -> Application:
    """Staff add a candidate who did not apply (from the engine's ranking) to the pipeline."""
    if is_erased(candidate):
        raise PipelineError(ERASED)
    existing = db.session.execute(
        select(Application).where(
            Application.candidate_id == candidate.id, Application.opening_id == opening.id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    application = Application(
        candidate=candidate,
        opening=opening,
        source=ApplicationSource.SOURCED,
        stage=S.SOURCED,
    )
    db.session.add(application)
    db.session.add(
        StageChange(application=application, actor_id=actor.id, from_stage=None, to_stage=S.SOURCED)
    )
    db.session.flush()
    return application


def refusal(
    application: Application | None,
    to_stage: str,
    role: str,
    reason: str = "",
    candidate: Candidate | None = None,
) -> str | None:
    """Why this move cannot be made (None when it can), checked before anything is written.

    `application` None means the candidate (given) is not in the pipeline yet: staff source
    them first.
    """
    if is_erased(application.candidate if application is not None else candidate):
        return ERASED
    if to_stage not in TRANSITIONS:
        return f"Unknown stage {to_stage!r}."
    if application is None:
        if role not in (Role.STAFF, Role.ADMIN):
            return "Only staff can add a candidate who did not apply."
        if to_stage not in TRANSITIONS[S.SOURCED]:
            return f"Cannot move from not in pipeline to {to_stage}."
    elif to_stage not in allowed_moves(application, role):
        return f"Cannot move from {application.stage} to {to_stage}."
    if to_stage in NEEDS_REASON and not (reason or "").strip():
        return "Please give a reason."
    if to_stage == S.PLACED and application is not None:
        problems = placement_problems(application.candidate, application.opening)
        if problems:
            return "Cannot place: " + "; ".join(problems) + "."
    return None


def advance(
    candidate: Candidate,
    opening: Opening,
    to_stage: str,
    actor: User,
    reason: str = "",
    ip: str = "",
    application: Application | None = None,
    *,
    clinic_note: str = "",
    confirm_ineligible: bool = False,
) -> StageChange:
    """Move the candidate's application for the opening, sourcing them first if they did not
    apply. Raises PipelineError before writing anything when the move is not allowed."""
    if application is None:
        application = db.session.execute(
            select(Application).where(
                Application.candidate_id == candidate.id, Application.opening_id == opening.id
            )
        ).scalar_one_or_none()
    problem = refusal(application, to_stage, actor.role, reason, candidate)
    if problem:
        raise PipelineError(problem)
    if to_stage == S.SUBMITTED and not confirm_ineligible:
        reasons = ineligibility(candidate, opening)
        if reasons:
            raise NotEligible(reasons)
    if application is None:
        application = source(candidate, opening, actor)
    return move(
        application, to_stage, actor, reason, ip, clinic_note=clinic_note, confirm_ineligible=True
    )


# What the staff review page's buttons do: a stage to move to, or a note.
REVIEW_ACTIONS = {
    "shortlist": S.SHORTLISTED,
    "submit": S.SUBMITTED,
    "reject": S.REJECTED,
}


def review_moves(stage: str | None) -> frozenset[str]:
    """The review page's stage actions (keys of REVIEW_ACTIONS) staff may take on an application
    in `stage`; None means not in the pipeline yet (staff source the candidate first)."""
    reachable = TRANSITIONS.get(stage or S.SOURCED, frozenset())
    return frozenset(action for action, to in REVIEW_ACTIONS.items() if to in reachable)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # Not submitted: the engine marks them not eligible (its reasons); staff must confirm.
    unconfirmed: list[tuple[int, list[str]]] = field(default_factory=list)


def bulk_review(
    opening: Opening,
    candidates: list[Candidate],
    action: str,
    actor: User,
    reason: str = "",
    note: str = "",
    ip: str = "",
    *,
    clinic_note: str = "",
    confirm_ineligible: bool = False,
) -> BulkResult:
    """Apply one review action to several candidates of an opening in the caller's transaction.

    A candidate whose move is not allowed is skipped with the reason (nothing written for them);
    the others go ahead. `note` (staff only, when given) is attached to every candidate acted
    on; `clinic_note` goes to the clinic with each submittal. Submitting one the engine marks
    not eligible waits for `confirm_ineligible` (listed in `unconfirmed`, nothing written).
    """
    from agency.services import notes

    result = BulkResult()
    apps = {
        a.candidate_id: a
        for a in db.session.execute(
            select(Application).where(
                Application.opening_id == opening.id,
                Application.candidate_id.in_([c.id for c in candidates]),
            )
        ).scalars()
    }
    for candidate in candidates:
        application = apps.get(candidate.id)
        if action == "note":
            notes.add(
                actor, note, candidate=candidate, opening=opening, application=application, ip=ip
            )
            result.done.append(candidate.id)
            continue
        to_stage = REVIEW_ACTIONS.get(action)
        if to_stage is None:
            raise PipelineError(f"Unknown action {action!r}.")
        if application is not None and application.stage == to_stage:
            result.skipped.append((candidate.id, f"already {to_stage}"))
            continue
        problem = refusal(application, to_stage, actor.role, reason, candidate)
        if problem:
            result.skipped.append((candidate.id, problem))
            continue
        if to_stage == S.SUBMITTED and not confirm_ineligible:
            reasons = ineligibility(candidate, opening)
            if reasons:
                result.unconfirmed.append((candidate.id, reasons))
                continue
        change = advance(
            candidate,
            opening,
            to_stage,
            actor,
            reason,
            ip,
            application,
            clinic_note=clinic_note if to_stage == S.SUBMITTED else "",
            confirm_ineligible=True,
        )
        if note.strip():
            notes.add(actor, note, application=change.application, ip=ip)
        result.done.append(candidate.id)
    return result

"""Interviews of a submitted candidate: the clinic (or staff for it) proposes 2 to 5 slots, the
candidate books one (from the e-mail's signed link or from /me), everyone involved gets a
calendar invitation, reminders go out 24 and 2 hours before, and the clinic records the outcome,
which moves the pipeline.

Booking is race-safe: the interview row is claimed with a conditional UPDATE (status still
"proposed") before its slot is marked, so of two simultaneous picks exactly one books and the
other is told the time is gone; a slot in the past is never booked.

Who reads what: the clinic's feedback is read by the agency and the clinic
(`Interview.feedback_audience`); the candidate reads standard words about the outcome
(`OUTCOME_WORDS`). Each party's e-mail and calendar entry names the others as that party's pages
do (a clinic sees the candidate's display name, never their e-mail address).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.ids import MAX_ID
from agency.models import (
    Application,
    Audience,
    Candidate,
    Clinic,
    Interview,
    InterviewMode,
    InterviewOutcome,
    InterviewReminder,
    InterviewSlot,
    InterviewStatus,
    Opening,
    Role,
    SlotStatus,
    Stage,
    User,
    utcnow,
)
from agency.models.interviews import ACTIVE_STATUSES
from agency.services import audit, calendar_feed, clinic_portal, notifications, outbox, pipeline
from agency.services.calendar_feed import CalendarEvent
from agency.services.errors import FieldError
from agency.timezones import clinic_zone

MIN_SLOTS, MAX_SLOTS = 2, 5
DURATIONS = (15, 20, 30, 45, 60, 90)
# A proposal can be made while the clinic considers the candidate: submitted, or already at the
# interview stage (a second interview, or a new proposal after a cancellation).
PROPOSABLE_STAGES = frozenset({Stage.SUBMITTED, Stage.INTERVIEW})
# Slots are proposed for the coming months, not years.
MAX_AHEAD = timedelta(days=180)
PICK_LINK_MAX_AGE = 60 * 60 * 24 * 60  # seconds; the slots are in the past long before
_PICK_SALT = "clinicmatch-interview-pick"
REMINDERS = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)))

MODE_WORDS = {
    InterviewMode.IN_PERSON: "In person at the clinic",
    InterviewMode.PHONE: "By phone",
    InterviewMode.VIDEO: "By video",
}
# What the candidate reads about the outcome: standard words, never the clinic's feedback.
OUTCOME_WORDS = {
    InterviewOutcome.ATTENDED: "The clinic recorded that you attended this interview.",
    InterviewOutcome.NO_SHOW: (
        "The clinic recorded that you did not attend this interview. Please contact your recruiter."
    ),
}
NO_SHOW_REASON = "Did not attend the interview."
DECLINED_AFTER_INTERVIEW = "Declined after the interview."
# Where the outcome may move the application (the empty string: it stays at "interview").
NEXT_STAGES = ("", Stage.OFFERED, Stage.REJECTED)


class InterviewError(FieldError):
    """A refused request, in words the user can act on; `field` names the form field."""


class SlotGone(InterviewError):
    """The slot was taken, released or is in the past."""

    def __init__(self) -> None:
        super().__init__(
            "That time is no longer available: another time was booked or it has passed."
        )


@dataclass(frozen=True)
class SlotInput:
    starts_at: datetime  # aware
    duration_minutes: int


# --- Validation ---------------------------------------------------------------------------


def valid_video_url(url: str) -> bool:
    """An https address with a host: what a candidate can safely click."""
    if not url or len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc


def _check_slots(slots: list[SlotInput], now: datetime) -> None:
    if not MIN_SLOTS <= len(slots) <= MAX_SLOTS:
        raise InterviewError(f"Propose {MIN_SLOTS} to {MAX_SLOTS} times.", "slots")
    starts = set()
    for slot in slots:
        if slot.starts_at.tzinfo is None:
            raise InterviewError("A time without a zone.", "slots")
        if slot.starts_at <= now:
            raise InterviewError("Every proposed time must be in the future.", "slots")
        if slot.starts_at > now + MAX_AHEAD:
            raise InterviewError("Propose times within the next six months.", "slots")
        if slot.duration_minutes not in DURATIONS:
            raise InterviewError("Choose a length from the list.", "slots")
        if slot.starts_at in starts:
            raise InterviewError("Two proposed times are the same.", "slots")
        starts.add(slot.starts_at)


def can_propose(application: Application) -> str | None:
    """Why no interview can be proposed for this application now (None: it can)."""
    if application.stage not in PROPOSABLE_STAGES:
        return "Interviews are arranged for candidates the agency submitted."
    if pipeline.is_erased(application.candidate):
        return pipeline.WITHDRAWN
    if active_of(application) is not None:
        return "This candidate already has an interview arranged or proposed."
    return None


def proposable(application: Application, its_interviews: list[Interview]) -> bool:
    """`can_propose` from interviews already loaded (list pages: no query per row)."""
    return (
        application.stage in PROPOSABLE_STAGES
        and not pipeline.is_erased(application.candidate)
        and not any(i.is_active for i in its_interviews)
    )


# --- Queries ------------------------------------------------------------------------------


def _loaded() -> Any:
    return select(Interview).options(
        joinedload(Interview.application).joinedload(Application.candidate),
        joinedload(Interview.application)
        .joinedload(Application.opening)
        .joinedload(Opening.clinic),
        selectinload(Interview.slots),
    )


def active_of(application: Application) -> Interview | None:
    return db.session.execute(
        select(Interview).where(
            Interview.application_id == application.id, Interview.status.in_(ACTIVE_STATUSES)
        )
    ).scalar_one_or_none()


def of_applications(application_ids: list[int]) -> dict[int, list[Interview]]:
    """Each application's interviews, newest first."""
    out: dict[int, list[Interview]] = {i: [] for i in application_ids}
    if not application_ids:
        return out
    rows = db.session.execute(
        select(Interview)
        .options(selectinload(Interview.slots))
        .where(Interview.application_id.in_(application_ids))
        .order_by(Interview.created_at.desc(), Interview.id.desc())
    ).scalars()
    for interview in rows:
        out[interview.application_id].append(interview)
    return out


def for_clinic(clinic: Clinic, interview_id: int) -> Interview | None:
    """An interview of an application this clinic may see, or None (a 404)."""
    if not 0 < interview_id <= MAX_ID:
        return None
    return db.session.execute(
        _loaded()
        .join(Interview.application)
        .join(Application.opening)
        .where(
            Interview.id == interview_id,
            Opening.clinic_id == clinic.id,
            clinic_portal.shown_to_clinic(),
        )
    ).scalar_one_or_none()


def _candidate_condition(candidate: Candidate) -> ColumnElement[bool]:
    return Application.candidate_id == candidate.id


def for_candidate(candidate: Candidate, interview_id: int) -> Interview | None:
    if not 0 < interview_id <= MAX_ID:
        return None
    return db.session.execute(
        _loaded()
        .join(Interview.application)
        .where(Interview.id == interview_id, _candidate_condition(candidate))
    ).scalar_one_or_none()


def of_candidate(candidate: Candidate, now: datetime | None = None) -> list[Interview]:
    """The candidate's interviews still to come or proposed, then the last 30 days' others."""
    since = (now or utcnow()) - timedelta(days=30)
    rows = db.session.execute(
        _loaded()
        .join(Interview.application)
        .where(
            _candidate_condition(candidate),
            (Interview.status.in_(ACTIVE_STATUSES)) | (Interview.updated_at >= since),
        )
        .order_by(Interview.created_at.desc(), Interview.id.desc())
    ).scalars()
    return list(rows.unique())


def upcoming(
    now: datetime | None = None, limit: int = 200, clinic_id: int | None = None
) -> list[Interview]:
    """Proposals waiting for the candidate, then booked interviews soonest first (from an hour
    ago, so one under way is still listed), at most `limit` in all: every clinic's for staff, or
    one clinic's (only applications shown to it)."""
    since = (now or utcnow()) - timedelta(hours=1)
    base = _loaded()
    if clinic_id is not None:
        base = (
            base.join(Interview.application)
            .join(Application.opening)
            .where(Opening.clinic_id == clinic_id, clinic_portal.shown_to_clinic())
        )
    waiting = Interview.status == InterviewStatus.PROPOSED
    booked = and_(Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at >= since)
    # One query for both lists: the proposals first (oldest first), then the booked by start.
    rows = db.session.execute(
        base.where(or_(waiting, booked))
        .order_by(
            case((waiting, 0), else_=1),
            case((waiting, Interview.created_at), else_=Interview.starts_at),
            Interview.id,
        )
        .limit(limit)
    )
    return list(rows.scalars().unique())


def get(interview_id: int) -> Interview | None:
    if not 0 < interview_id <= MAX_ID:
        return None
    return db.session.execute(_loaded().where(Interview.id == interview_id)).scalar_one_or_none()


# --- Proposing and booking ----------------------------------------------------------------


def propose(
    application: Application,
    actor: User,
    slots: list[SlotInput],
    mode: str,
    video_url: str = "",
    details: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> Interview:
    """Offer the candidate these times; raises InterviewError before writing anything."""
    now = now or utcnow()
    problem = can_propose(application)
    if problem:
        raise InterviewError(problem)
    if mode not in InterviewMode.values():
        raise InterviewError("Choose how the interview takes place.", "mode")
    video_url = (video_url or "").strip()
    if mode == InterviewMode.VIDEO and not valid_video_url(video_url):
        raise InterviewError("Enter the video link, starting with https://.", "video_url")
    _check_slots(slots, now)
    interview = Interview(
        application=application,
        proposed_by_id=actor.id,
        mode=mode,
        video_url=video_url if mode == InterviewMode.VIDEO else "",
        details=(details or "").strip()[:500],
        status=InterviewStatus.PROPOSED,
        uid=f"interview-{secrets.token_hex(12)}@clinicmatch",
        sequence=0,
        slots=[
            InterviewSlot(starts_at=s.starts_at, duration_minutes=s.duration_minutes)
            for s in sorted(slots, key=lambda s: s.starts_at)
        ],
    )
    db.session.add(interview)
    db.session.flush()
    if application.stage == Stage.SUBMITTED:
        # The slots e-mail is the candidate's invitation (see notifications.stage_changed).
        pipeline.move(application, Stage.INTERVIEW, actor, ip=ip)
    _audit("interview_proposed", interview, actor, ip, slots=len(slots), mode=mode)
    _tell_candidate_of_slots(interview)
    return interview


def pick_token(interview: Interview, slot: InterviewSlot) -> str:
    return str(_serializer().dumps({"i": interview.id, "s": slot.id}))


def pick_url(interview: Interview, slot: InterviewSlot) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/interviews/choose/{pick_token(interview, slot)}"


def read_pick_token(token: str) -> tuple[Interview, int] | None:
    """The interview and slot id a signed link names, or None (forged, garbled, too old)."""
    if not token or len(token) > 300:
        return None
    try:
        data = _serializer().loads(token, max_age=PICK_LINK_MAX_AGE)
        interview_id, slot_id = int(data["i"]), int(data["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    interview = get(interview_id)
    if interview is None or not any(s.id == slot_id for s in interview.slots):
        return None
    return interview, slot_id


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_PICK_SALT)


def book(
    interview: Interview,
    slot_id: int,
    actor: User | None,
    ip: str = "",
    now: datetime | None = None,
) -> Interview:
    """Book one proposed slot for the candidate and release the others; raises SlotGone when
    the slot is taken, released or past (nothing written). The caller commits."""
    now = now or utcnow()
    slot = db.session.execute(
        select(InterviewSlot).where(
            InterviewSlot.id == slot_id, InterviewSlot.interview_id == interview.id
        )
    ).scalar_one_or_none()
    if slot is None or slot.status != SlotStatus.OPEN or slot.starts_at <= now:
        raise SlotGone()
    # The claim: only one transaction finds the interview still "proposed" (on PostgreSQL the
    # second waits for the first's row lock, then sees its commit and updates nothing).
    claimed = db.session.execute(
        update(Interview)
        .where(Interview.id == interview.id, Interview.status == InterviewStatus.PROPOSED)
        .values(
            status=InterviewStatus.SCHEDULED,
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotGone()
    marked = db.session.execute(
        update(InterviewSlot)
        .where(
            InterviewSlot.id == slot.id,
            InterviewSlot.status == SlotStatus.OPEN,
            InterviewSlot.starts_at > now,
        )
        .values(status=SlotStatus.BOOKED)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotGone()
    db.session.execute(
        update(InterviewSlot)
        .where(
            InterviewSlot.interview_id == interview.id,
            InterviewSlot.id != slot.id,
            InterviewSlot.status == SlotStatus.OPEN,
        )
        .values(status=SlotStatus.RELEASED)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(interview)
    for each in interview.slots:
        db.session.refresh(each)
    _audit("interview_booked", interview, actor, ip, slot=slot.id)
    _send_invitations(interview, "booked")
    return interview


def reschedule(
    interview: Interview,
    actor: User,
    slot: SlotInput,
    ip: str = "",
    now: datetime | None = None,
) -> Interview:
    """Move a booked interview to a new time: same UID, SEQUENCE + 1, new invitations."""
    now = now or utcnow()
    if interview.status != InterviewStatus.SCHEDULED:
        raise InterviewError("Only a booked interview can be moved.")
    if slot.starts_at <= now:
        raise InterviewError("The new time must be in the future.", "starts_on")
    if slot.starts_at > now + MAX_AHEAD:
        raise InterviewError("Choose a time within the next six months.", "starts_on")
    if slot.duration_minutes not in DURATIONS:
        raise InterviewError("Choose a length from the list.", "duration")
    moved = db.session.execute(
        update(Interview)
        .where(
            Interview.id == interview.id,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.sequence == interview.sequence,
        )
        .values(
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            sequence=Interview.sequence + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise InterviewError("The interview changed meanwhile: reload the page and try again.")
    db.session.refresh(interview)
    _audit("interview_rescheduled", interview, actor, ip, sequence=interview.sequence)
    _send_invitations(interview, "moved")
    return interview


def cancel(
    interview: Interview, actor: User | None, reason: str, ip: str = "", *, notify: bool = True
) -> Interview:
    """Cancel a proposed or booked interview: open slots are released; a booked one is
    canceled on every calendar (METHOD:CANCEL, SEQUENCE + 1)."""
    reason = (reason or "").strip()[:500]
    if interview.status not in ACTIVE_STATUSES:
        raise InterviewError("This interview is already closed.")
    if not reason:
        raise InterviewError("Please give a reason.", "reason")
    was_booked = interview.status == InterviewStatus.SCHEDULED
    interview.status = InterviewStatus.CANCELLED
    interview.sequence += 1
    interview.cancel_reason = reason
    interview.cancelled_at = utcnow()
    for slot in interview.slots:
        if slot.status == SlotStatus.OPEN:
            slot.status = SlotStatus.RELEASED
    db.session.flush()
    _audit("interview_cancelled", interview, actor, ip, reason=reason)
    if notify:
        if was_booked:
            _send_invitations(interview, "cancelled")
        else:
            _tell_candidate_of_withdrawal(interview)
    return interview


def close_for(application: Application, actor: User | None) -> None:
    """The application closed (declined, withdrawn): its open interview is canceled."""
    interview = active_of(application)
    if interview is not None:
        cancel(interview, actor, "The application was closed.")


# What the clinic and staff read as the reason when erasure calls off an interview.
ERASED_REASON = "The candidate closed their account."


def forget_candidate(application_ids: list[int]) -> None:
    """Erasure (services.privacy.erase): the free text about the person goes (the clinic's
    feedback, the note written for them, their own decline note, cancel reasons), and an
    interview still proposed or booked is called off: a booked one's calendar entries are
    canceled for the clinic and staff (the person's own mail is scrubbed by the caller). The
    rows stay, like the applications, for the agency's records."""
    if not application_ids:
        return
    rows = db.session.execute(
        _loaded().where(Interview.application_id.in_(application_ids))
    ).scalars()
    for interview in rows.unique():
        interview.feedback = ""
        interview.details = ""
        interview.decline_note = ""
        interview.cancel_reason = ""
        if interview.is_active:
            cancel(interview, None, ERASED_REASON)
    db.session.flush()


def can_record_outcome(interview: Interview, now: datetime | None = None) -> bool:
    return (
        interview.status == InterviewStatus.SCHEDULED
        and interview.starts_at is not None
        and interview.starts_at <= (now or utcnow())
    )


def record_outcome(
    interview: Interview,
    actor: User,
    outcome: str,
    feedback: str = "",
    next_stage: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> Interview:
    """The clinic (or staff) records how the interview went and where the application goes
    next; raises InterviewError (or PipelineError) before anything is kept."""
    now = now or utcnow()
    if not can_record_outcome(interview, now):
        raise InterviewError("The outcome can be recorded once the interview has started.")
    if outcome not in InterviewOutcome.values():
        raise InterviewError("Choose whether the candidate attended.", "outcome")
    if next_stage not in NEXT_STAGES:
        raise InterviewError("Choose a next step from the list.", "next_stage")
    if outcome == InterviewOutcome.NO_SHOW and next_stage == Stage.OFFERED:
        raise InterviewError("An offer needs an interview that took place.", "next_stage")
    feedback = (feedback or "").strip()[:2000]
    application = interview.application
    interview.status = InterviewStatus.COMPLETED
    interview.outcome = InterviewOutcome(outcome)
    interview.feedback = feedback
    interview.feedback_audience = pipeline.reason_audience(actor.role)
    interview.outcome_at = now
    interview.outcome_by_id = actor.id
    db.session.flush()
    _audit("interview_outcome", interview, actor, ip, outcome=outcome, next=next_stage)
    if next_stage:
        reason = feedback[:500]
        if next_stage == Stage.REJECTED and not reason:
            no_show = outcome == InterviewOutcome.NO_SHOW
            reason = NO_SHOW_REASON if no_show else DECLINED_AFTER_INTERVIEW
        pipeline.move(application, next_stage, actor, reason, ip)
    return interview


def _audit(action: str, interview: Interview, actor: User | None, ip: str, **details: Any) -> None:
    audit.record(
        action,
        actor_id=actor.id if actor else None,
        object_type="application",
        object_id=interview.application_id,
        ip=ip,
        details={"interview": interview.id, **details},
    )


# --- Reminders ----------------------------------------------------------------------------


def reminder_due(starts_at: datetime, now: datetime) -> str | None:
    """The tightest reminder due for an interview starting then: a missed scan still sends
    the next one, never one that has passed."""
    left = starts_at - now
    if left <= timedelta(0):
        return None
    return next((kind for kind, before in REMINDERS if left <= before), None)


def stage_reminders(now: datetime | None = None) -> int:
    """Make the reminders due (24 h and 2 h before each booked interview) and commit; the
    count made. Each (interview, kind, start) once: a re-run scan sends nothing new, and a
    moved interview is reminded of its new time."""
    now = now or utcnow()
    due = list(
        db.session.execute(
            _loaded().where(
                Interview.status == InterviewStatus.SCHEDULED,
                Interview.starts_at > now,
                Interview.starts_at <= now + REMINDERS[-1][1],
            )
        )
        .scalars()
        .unique()
    )
    made = 0
    for interview in due:
        assert interview.starts_at is not None
        kind = reminder_due(interview.starts_at, now)
        if kind is None:
            continue
        exists = db.session.execute(
            select(InterviewReminder.id).where(
                InterviewReminder.interview_id == interview.id,
                InterviewReminder.kind == kind,
                InterviewReminder.starts_at == interview.starts_at,
            )
        ).first()
        if exists is not None:
            continue
        db.session.add(
            InterviewReminder(interview_id=interview.id, kind=kind, starts_at=interview.starts_at)
        )
        _send_reminders(interview, kind)
        made += 1
    try:
        db.session.commit()
    except IntegrityError:  # a scan running at the same moment made them first
        db.session.rollback()
        return 0
    return made


# --- Who is told, in whose words ----------------------------------------------------------


@dataclass(frozen=True)
class Party:
    user: User
    audience: str  # an Audience value
    page_path: str


def staff_owner(application: Application) -> User | None:
    """The recruiter who put the candidate in front of the clinic (the last staff submission)."""
    for change in reversed(application.history):
        actor = change.actor
        if change.to_stage == Stage.SUBMITTED and actor is not None and actor.is_staff:
            return actor
    return None


def parties(interview: Interview, *, asks_the_clinic: bool = False) -> list[Party]:
    """Everyone an interview e-mail goes to. The calendar e-mails (booked, moved, canceled,
    reminders) ask nothing of the clinic and go to its whole team; one that asks the clinic to
    act (`asks_the_clinic`) goes to its managers only (see notifications.clinic_managers)."""
    application = interview.application
    found: list[Party] = []
    candidate_user = application.candidate.user
    if candidate_user is not None and candidate_user.active:
        found.append(Party(candidate_user, Audience.CANDIDATE, "/me/interviews"))
    clinic_path = f"/clinic/interviews/{interview.id}"
    clinic_id = application.opening.clinic_id
    team = (
        notifications.clinic_managers(clinic_id)
        if asks_the_clinic
        else notifications.clinic_members(clinic_id)
    )
    found += [Party(member, Audience.CLINIC, clinic_path) for member in team if member.active]
    owner = staff_owner(application)
    if owner is None and interview.proposed_by is not None and interview.proposed_by.is_staff:
        owner = interview.proposed_by
    if owner is not None and owner.active:
        found.append(Party(owner, Audience.STAFF, f"/staff/interviews/{interview.id}"))
    return found


def local_time(interview_or_slot_start: datetime, clinic: Clinic) -> str:
    """A start as everyone reads it: the clinic's local time with its zone's abbreviation."""
    local = interview_or_slot_start.astimezone(clinic_zone(clinic))
    return local.strftime("%A, %B %-d, %Y at %-I:%M %p %Z")


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _who(application: Application, audience: str) -> str:
    if audience == Audience.CLINIC:
        return clinic_portal.display_name(application.candidate)
    return application.candidate.full_name


def where(interview: Interview) -> str:
    """Where the interview happens, in words every party may read."""
    clinic = interview.application.opening.clinic
    if interview.mode == InterviewMode.VIDEO:
        return interview.video_url
    if interview.mode == InterviewMode.PHONE:
        return "By phone"
    address = ", ".join(
        p for p in (clinic.address_line, clinic.city, f"{clinic.state} {clinic.zip_code}") if p
    )
    return f"{clinic.name}, {address}".strip(", ")


def _summary(interview: Interview, audience: str) -> str:
    opening = interview.application.opening
    if audience == Audience.CANDIDATE:
        return f"Interview: {opening.title} at {opening.clinic.name}"
    who = _who(interview.application, audience)
    if audience == Audience.CLINIC:
        return f"Interview with {who} ({opening.title})"
    return f"Interview: {who} at {opening.clinic.name} ({opening.title})"


def event_for(
    interview: Interview, audience: str, attendee: str | None = None, page_path: str = ""
) -> CalendarEvent:
    """The interview as `audience` reads it on a calendar."""
    assert interview.starts_at is not None and interview.ends_at is not None
    clinic = interview.application.opening.clinic
    lines = [MODE_WORDS[interview.mode]]
    if interview.mode == InterviewMode.VIDEO:
        lines.append(f"Join: {interview.video_url}")
    if interview.details:
        lines.append(interview.details)
    if page_path:
        lines.append(f"Details: {_link(page_path)}")
    return CalendarEvent(
        uid=interview.uid,
        sequence=interview.sequence,
        start=interview.starts_at,
        end=interview.ends_at,
        zone=clinic_zone(clinic),
        summary=_summary(interview, audience),
        description="\n".join(lines),
        location=where(interview),
        url=_link(page_path) if page_path else "",
        cancelled=interview.status == InterviewStatus.CANCELLED,
        attendees=(attendee,) if attendee else (),
    )


def mail_context(interview: Interview, party: Party) -> dict[str, Any]:
    application = interview.application
    opening = application.opening
    return {
        "first_name": application.candidate.first_name
        if party.audience == Audience.CANDIDATE
        else "",
        "audience": party.audience,
        "candidate_name": _who(application, party.audience),
        "opening_title": opening.title,
        "clinic_name": opening.clinic.name,
        "when": local_time(interview.starts_at, opening.clinic) if interview.starts_at else "",
        "minutes": interview.duration_minutes,
        "mode_words": MODE_WORDS[interview.mode],
        "where": where(interview),
        "video_url": interview.video_url,
        "details": interview.details,
        "reason": interview.cancel_reason,
        "page_url": _link(party.page_path),
    }


def mail_party(
    template: str,
    interview: Interview,
    party: Party,
    key: str,
    extra: dict[str, Any],
    attachments: list[dict[str, str]] | None = None,
) -> None:
    """One interview e-mail to one party, deduplicated per user by `key` (what happened). An
    appointment the user is party to: sent whatever their newsletter choices."""
    outbox.email(
        template,
        party.user.email,
        {**mail_context(interview, party), **extra},
        f"interview:{interview.id}:{key}:u{party.user.id}",
        essential=True,
        user_id=party.user.id,
        attachments=attachments,
    )


def _send_invitations(interview: Interview, change: str) -> None:
    """Booked, moved or canceled: each party gets the e-mail with the invitation attached."""
    cancelled = change == "cancelled"
    template = "interview_cancelled" if cancelled else "interview_scheduled"
    for party in parties(interview):
        event = event_for(interview, party.audience, party.user.email, party.page_path)
        mail_party(
            template,
            interview,
            party,
            f"{change}:{interview.sequence}",
            {"change": change},
            attachments=[calendar_feed.attachment(event, cancel=cancelled)],
        )


def _send_reminders(interview: Interview, kind: str) -> None:
    assert interview.starts_at is not None
    stamp = interview.starts_at.strftime("%Y%m%dT%H%M")
    for party in parties(interview):
        mail_party(
            "interview_reminder", interview, party, f"reminder:{kind}:{stamp}", {"kind": kind}
        )


def _candidate_party(interview: Interview) -> Party | None:
    return next((p for p in parties(interview) if p.audience == Audience.CANDIDATE), None)


def _tell_candidate_of_slots(interview: Interview) -> None:
    party = _candidate_party(interview)
    if party is None:
        return
    clinic = interview.application.opening.clinic
    slots = [
        {
            "when": local_time(slot.starts_at, clinic),
            "minutes": slot.duration_minutes,
            "url": pick_url(interview, slot),
        }
        for slot in interview.slots
    ]
    mail_party("interview_slots", interview, party, "proposed", {"slots": slots})


def _tell_candidate_of_withdrawal(interview: Interview) -> None:
    party = _candidate_party(interview)
    if party is None:
        return
    mail_party("interview_cancelled", interview, party, "withdrawn", {"change": "withdrawn"})


# --- Calendar feed source -----------------------------------------------------------------


def calendar_events(user: User, since: datetime) -> list[CalendarEvent]:
    """The booked interviews `user` takes part in, as their calendar shows them."""
    query = (
        _loaded()
        .join(Interview.application)
        .join(Application.opening)
        .where(
            Interview.status.in_([InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED]),
            Interview.starts_at >= since,
        )
    )
    if user.role == Role.CANDIDATE:
        audience, path = Audience.CANDIDATE, "/me/interviews"
        query = query.join(Application.candidate).where(Candidate.user_id == user.id)
    elif user.role == Role.CLINIC:
        if user.clinic_id is None:
            return []
        audience, path = Audience.CLINIC, "/clinic/interviews/{id}"
        query = query.where(Opening.clinic_id == user.clinic_id, clinic_portal.shown_to_clinic())
    elif user.is_staff:
        audience, path = Audience.STAFF, "/staff/interviews/{id}"
    else:
        return []
    rows = db.session.execute(query.limit(2000)).scalars().unique()
    return [event_for(i, audience, page_path=path.format(id=i.id)) for i in rows]

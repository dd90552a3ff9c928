"""A candidate's rights over their data: a full export (JSON) and erasure of the account."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import (
    ApiToken,
    Application,
    Audience,
    AuditEvent,
    AuthToken,
    BookingStatus,
    CancelledBy,
    Candidate,
    CandidateSkill,
    CandidateStatus,
    Communication,
    Credential,
    DuplicateFlag,
    HumanReviewRequest,
    Interview,
    Match,
    Note,
    OutboxMessage,
    OutboxStatus,
    Role,
    Shift,
    ShiftBooking,
    ShiftOffer,
    ShiftStatus,
    Stage,
    StageChange,
    TalentPoolMember,
    Timesheet,
    User,
    utcnow,
)
from agency.models.applications import CLOSED_STAGES
from agency.services import (
    audit,
    human_review,
    interviews,
    invoicing,
    messages,
    notifications,
    self_id,
    uploads,
)

EXPORT_VERSION = 1
ERASED_NAME = "Erased"
# The reason recorded on every application erasure closes (the audiences see "withdrawn").
ERASURE_REASON = "account erased"
# Internal storage details and secrets: never part of an export.
USER_HIDDEN = frozenset({"password_hash", "session_version"})
CANDIDATE_HIDDEN = frozenset({"resume_path"})
CREDENTIAL_HIDDEN = frozenset({"document_path", "verified_by_id"})
# What the clinic is billed is the agency's and the clinic's business, never the worker's.
BILL_HIDDEN = frozenset({"bill_rate", "bill_amount"})
SHIFT_BOOKING_HIDDEN = frozenset({"attendance_correction", "attendance_marked_by_id"}) | BILL_HIDDEN
APPLICATION_HIDDEN = BILL_HIDDEN
TIMESHEET_HIDDEN = BILL_HIDDEN | {"reviewed_by_id", "resolved_by_id", "clinic_reminded_at"}


def _own_reason(change: Any) -> str:
    # Reasons are read by their audience: a staff or clinic reason is not the candidate's to
    # read (candidate_message holds what was written for them).
    return str(change.reason) if change.reason_audience == Audience.CANDIDATE else ""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(obj: Any, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        col.key: _plain(getattr(obj, col.key))
        for col in obj.__table__.columns
        if col.key not in hidden
    }


def export(candidate: Candidate) -> dict[str, Any]:
    """Everything we hold about this candidate, as plain JSON (staff notes are internal)."""
    user = candidate.user
    skills = db.session.execute(
        select(CandidateSkill)
        .options(selectinload(CandidateSkill.skill))
        .where(CandidateSkill.candidate_id == candidate.id)
    ).scalars()
    credentials = db.session.execute(
        select(Credential)
        .options(selectinload(Credential.credential_type))
        .where(Credential.candidate_id == candidate.id)
        .order_by(Credential.id)
    ).scalars()
    applications = db.session.execute(
        select(Application)
        .options(selectinload(Application.history), selectinload(Application.opening))
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.id)
    ).scalars()
    bookings = db.session.execute(
        select(ShiftBooking)
        .options(selectinload(ShiftBooking.shift).selectinload(Shift.clinic))
        .where(ShiftBooking.candidate_id == candidate.id)
        .order_by(ShiftBooking.id)
    ).scalars()
    offers = db.session.execute(
        select(ShiftOffer).where(ShiftOffer.candidate_id == candidate.id).order_by(ShiftOffer.id)
    ).scalars()
    sheets = db.session.execute(
        select(Timesheet).where(Timesheet.candidate_id == candidate.id).order_by(Timesheet.id)
    ).scalars()
    return {
        "export_version": EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "user": _columns(user, USER_HIDDEN) if user else None,
        "candidate": _columns(candidate, CANDIDATE_HIDDEN),
        "skills": [
            {
                **_columns(cs),
                "skill_code": cs.skill.code,
                "skill_name": cs.skill.name,
                "category": cs.skill.category,
            }
            for cs in skills
        ],
        "credentials": [
            {
                **_columns(c, CREDENTIAL_HIDDEN),
                "credential_code": c.credential_type.code,
                "credential_name": c.credential_type.name,
                "has_document": bool(c.document_path),
            }
            for c in credentials
        ],
        "applications": [
            {
                **_columns(a, APPLICATION_HIDDEN),
                "stage_reason": _own_reason(a.history[-1]) if a.history else "",
                "opening_title": a.opening.title,
                "history": [
                    {**_columns(change), "reason": _own_reason(change)} for change in a.history
                ],
            }
            for a in applications
        ],
        # The person's own answers: theirs to read, like everything else here.
        "self_identification": _self_identification(candidate.id),
        "human_review_requests": [
            {k: v for k, v in _columns(r).items() if k != "handled_by_id"}
            for r in human_review.for_candidate(candidate.id)
        ],
        # The shift record (issue 18); staff's reason for correcting attendance is internal.
        "shift_bookings": [
            {
                **_columns(b, SHIFT_BOOKING_HIDDEN),
                "clinic_name": b.shift.clinic.name,
                "starts_at": b.shift.starts_at.isoformat(),
                "ends_at": b.shift.ends_at.isoformat(),
            }
            for b in bookings
        ],
        "shift_offers": [_columns(o) for o in offers],
        # The worker's hours and pay (issue 19); the bill side is not theirs.
        "timesheets": [_columns(t, TIMESHEET_HIDDEN) for t in sheets],
        # What the agency e-mailed them (issue 21): theirs, like the e-mails themselves.
        "communications": messages.export_rows(candidate.id),
        "interviews": _interviews(candidate.id),
    }


def _interviews(candidate_id: int) -> list[dict[str, Any]]:
    """The interviews as the candidate reads them on /me/interviews: when, where, how, the
    status, the note written for them and their own decline note. Left out, as written for
    another audience: the clinic's (or staff's) feedback and whom it is for (the candidate
    reads the standard outcome words instead), the reason a clinic or staff gave for canceling
    (the candidate is told only that it is canceled), who proposed or recorded it, and the
    calendar UID and sequence (plumbing, not data about them)."""
    rows = db.session.execute(
        select(Interview)
        .options(
            selectinload(Interview.slots),
            selectinload(Interview.application).selectinload(Application.opening),
        )
        .join(Interview.application)
        .where(Application.candidate_id == candidate_id)
        .order_by(Interview.id)
    ).scalars()
    return [
        {
            "id": i.id,
            "application_id": i.application_id,
            "opening_title": i.application.opening.title,
            "clinic_name": i.application.opening.clinic.name,
            "status": str(i.status),
            "mode": str(i.mode),
            "how": interviews.MODE_WORDS[i.mode],
            "where": interviews.where(i),
            "details": i.details,
            "starts_at": _plain(i.starts_at),
            "duration_minutes": i.duration_minutes,
            "outcome": str(i.outcome) if i.outcome else None,
            "outcome_words": interviews.OUTCOME_WORDS.get(i.outcome, "") if i.outcome else "",
            "decline_note": i.decline_note,
            "declined_at": _plain(i.declined_at),
            "cancelled_at": _plain(i.cancelled_at),
            "created_at": _plain(i.created_at),
            "proposed_times": [
                {
                    "starts_at": _plain(s.starts_at),
                    "duration_minutes": s.duration_minutes,
                    "status": str(s.status),
                }
                for s in i.slots
            ],
        }
        for i in rows
    ]


def _self_identification(candidate_id: int) -> dict[str, Any] | None:
    row = self_id.get(candidate_id)
    return _columns(row) if row else None


def _scrub_outbox(email: str) -> None:
    # Undelivered mail to the person is personal data and must not go out after erasure.
    rows = db.session.execute(
        select(OutboxMessage).where(
            OutboxMessage.kind == "email",
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.DEAD]),
        )
    ).scalars()
    for message in rows:
        if (message.payload or {}).get("to", "").lower() == email.lower():
            db.session.delete(message)


def _scrub_audit(user_id: int, email: str) -> None:
    # Failed-login events keep the typed e-mail; those that name this person lose it.
    for event in db.session.execute(
        select(AuditEvent).where(
            or_(AuditEvent.actor_id == user_id, AuditEvent.action == "login_failed")
        )
    ).scalars():
        details = dict(event.details or {})
        if str(details.get("email", "")).lower() == email.lower():
            details.pop("email")
            event.details = details


def _close_applications(applications: list[Application]) -> int:
    """Withdraw every open application: no notifications (the person is gone, and the clinic
    reads "withdrawn" on its portal) and no Decision (erasure says nothing about the fit)."""
    now = utcnow()
    closed = 0
    for application in applications:
        if application.stage in CLOSED_STAGES:
            continue
        db.session.add(
            StageChange(
                application_id=application.id,
                actor_id=None,
                from_stage=application.stage,
                to_stage=Stage.WITHDRAWN,
                reason=ERASURE_REASON,
            )
        )
        application.stage = Stage.WITHDRAWN
        application.stage_reason = ERASURE_REASON
        application.updated_at = now
        closed += 1
    return closed


def _close_shifts(candidate_id: int) -> None:
    """Offers go; upcoming bookings are canceled (the place opens again, not as the worker's
    late cancellation); past bookings stay for the agency's records without the reasons the
    person typed."""
    now = utcnow()
    db.session.execute(delete(ShiftOffer).where(ShiftOffer.candidate_id == candidate_id))
    bookings = db.session.execute(
        select(ShiftBooking)
        .options(selectinload(ShiftBooking.shift))
        .where(ShiftBooking.candidate_id == candidate_id)
    ).scalars()
    for booking in bookings:
        if booking.status == BookingStatus.BOOKED and booking.shift.starts_at > now:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at, booking.cancelled_by = now, CancelledBy.STAFF
            booking.shift.booked_count = max(booking.shift.booked_count - 1, 0)
            if booking.shift.status == ShiftStatus.FILLED:
                booking.shift.status = ShiftStatus.OPEN
        if booking.cancelled_by == CancelledBy.WORKER or booking.status == "cancelled":
            booking.cancel_reason = ""


def erase(candidate: Candidate, ip: str = "") -> None:
    """Erase the person: personal fields, files, skills, credentials, notes, the free text of
    their interviews (services.interviews.forget_candidate) and the login.

    Every open application is closed (withdrawn, reason "account erased") so nobody can move
    it on; the person leaves every ranking (their Match rows go, and the pool keeps active
    candidates only). Applications, their stage history and staff decisions stay for the
    agency's aggregate records, without anything that identifies the person. Staged in the
    caller's transaction.
    """
    user = candidate.user
    candidate_id = candidate.id
    uploads.discard(candidate.resume_path)
    for credential in list(candidate.credentials):
        uploads.discard(credential.document_path)
    candidate.credentials.clear()
    candidate.skills.clear()
    candidate.first_name = ERASED_NAME
    candidate.last_name = ""
    candidate.phone = ""
    candidate.zip_code = ""
    candidate.lat = None
    candidate.lon = None
    candidate.min_pay = None
    candidate.typing_wpm = None
    candidate.languages = []
    candidate.ehr_systems = []
    candidate.summary = ""
    candidate.resume_path = None
    candidate.resume_filename = None
    candidate.resume_text = ""
    candidate.consent_share_profile = False
    candidate.status = CandidateStatus.ERASED
    application_ids = select(Application.id).where(Application.candidate_id == candidate_id)
    applications = list(
        db.session.execute(
            select(Application).where(Application.candidate_id == candidate_id)
        ).scalars()
    )
    for application in applications:
        application.note = ""
        application.stage_reason = ""
    # Reasons the person typed (a withdrawal) are theirs; reasons staff gave stay.
    if user is not None:
        db.session.execute(
            update(StageChange)
            .where(StageChange.application_id.in_(application_ids), StageChange.actor_id == user.id)
            .values(reason="")
            .execution_options(synchronize_session=False)
        )
    # The clinic's own words about the person (a reason for declining them, often the
    # interview's feedback copied over) go like its interview feedback; staff's reasons stay.
    db.session.execute(
        update(StageChange)
        .where(
            StageChange.application_id.in_(application_ids),
            StageChange.actor_id.in_(select(User.id).where(User.role == Role.CLINIC)),
        )
        .values(reason="")
        .execution_options(synchronize_session=False)
    )
    closed = _close_applications(applications)
    interviews.forget_candidate([a.id for a in applications])
    db.session.execute(
        delete(Note).where(
            or_(Note.candidate_id == candidate_id, Note.application_id.in_(application_ids))
        )
    )
    db.session.execute(delete(Match).where(Match.candidate_id == candidate_id))
    self_id.remove(candidate_id)
    db.session.execute(
        delete(HumanReviewRequest).where(HumanReviewRequest.candidate_id == candidate_id)
    )
    _close_shifts(candidate_id)
    invoicing.erase_worker_name(candidate_id, ERASED_NAME)
    # The messages staff sent (they carry the name) and staff's lists of the person.
    db.session.execute(delete(Communication).where(Communication.candidate_id == candidate_id))
    db.session.execute(
        delete(TalentPoolMember).where(TalentPoolMember.candidate_id == candidate_id)
    )
    db.session.execute(
        delete(DuplicateFlag).where(
            or_(DuplicateFlag.candidate_id == candidate_id, DuplicateFlag.other_id == candidate_id)
        )
    )
    audit.record(
        "data_erasure",
        object_type="candidate",
        object_id=candidate_id,
        ip=ip,
        details={"by": "candidate", "applications_closed": closed},
    )
    if user is not None:
        _scrub_outbox(user.email)
        _scrub_audit(user.id, user.email)
        candidate.user = None
        db.session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
        db.session.flush()
        db.session.delete(user)
    notifications.account_erased(candidate_id)
    db.session.flush()

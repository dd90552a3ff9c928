"""Who hears about what: each function stages outbox e-mails in the caller's transaction; and
how people stop hearing (the signed unsubscribe link in every non-essential e-mail).

Nothing here commits or sends. Every message has a dedupe key, so a retried request or a re-run
job never mails twice. Staff mail goes through one "notify_staff" row that delivery fans out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import (
    Application,
    Audience,
    Candidate,
    Clinic,
    Credential,
    CredentialReminder,
    Interview,
    InterviewStatus,
    Match,
    Opening,
    OpeningStatus,
    OutboxMessage,
    Role,
    Stage,
    StageChange,
    User,
    utcnow,
)
from agency.services import clinic_portal, outbox
from matching.scorer import STRONG_FIT

# A "strong match" is the strong-fit band of docs/scores.md (90+), the engine's own constant:
# only a fit a coordinator would submit without a second look is worth an unprompted e-mail.
STRONG_MATCH = STRONG_FIT
# An opening counts as new for this long after it was posted.
NEW_OPENING_DAYS = 7

STAGE_WORDS: dict[str, str] = {
    Stage.APPLIED: "received",
    Stage.SUBMITTED: "sent to the clinic",
    Stage.INTERVIEW: "invited to interview",
    Stage.OFFERED: "offered the position",
    Stage.PLACED: "placed",
    Stage.REJECTED: "not selected this time",
    Stage.WITHDRAWN: "withdrawn",
}


def link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def wants_mail(user: User | None) -> bool:
    return user is not None and user.active and user.email_notifications


def email_user(
    user: User | None, template: str, context: dict[str, Any], key: str, topic: str = "all"
) -> OutboxMessage | None:
    """Stage a non-essential e-mail with an unsubscribe link; None if the user opted out."""
    if user is None or not wants_mail(user):
        return None
    context = {**context, "unsubscribe_url": unsubscribe_url(user.id, topic)}
    return outbox.email(template, user.email, context, f"{key}:u{user.id}", user_id=user.id)


# ---------- Unsubscribing: a link that works without a login ----------

# "all" turns off non-essential mail; "openings" only the new-opening alerts.
UNSUBSCRIBE_TOPICS = ("all", "openings")
_UNSUBSCRIBE_SALT = "clinicmatch-unsubscribe"


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, topic: str = "all") -> str:
    if topic not in UNSUBSCRIBE_TOPICS:
        raise ValueError(f"unknown unsubscribe topic {topic!r}")
    return str(_unsubscribe_serializer().dumps({"u": user_id, "t": topic}))


def unsubscribe_url(user_id: int, topic: str = "all") -> str:
    return link(f"/unsubscribe/{unsubscribe_token(user_id, topic)}")


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The user and topic a token names, or None when it is forged, garbled or the user is gone."""
    try:
        data = _unsubscribe_serializer().loads(token)
        user_id, topic = int(data["u"]), str(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or topic not in UNSUBSCRIBE_TOPICS:
        return None
    return user, topic


def unsubscribe(user: User, topic: str) -> None:
    """Turn the topic off for the user (idempotent); the caller commits."""
    if topic == "openings":
        user.notify_new_openings = False
    else:
        user.email_notifications = False
        user.notify_new_openings = False


def tell_staff(event: str, key: str, **ids: Any) -> OutboxMessage | None:
    """Stage one staff notification; delivery e-mails every active staff user who wants mail."""
    return outbox.add("notify_staff", {"event": event, **ids}, dedupe_key=f"staff:{key}")


# Who in a clinic's team is mailed (a viewer only looks: they cannot post, decide, mark or
# approve, so an e-mail asking for one of those goes to managers only):
#   managers only (`clinic_managers`): a candidate submitted for review (submitted_to_clinic),
#     the candidate declined the proposed interview times (propose new ones), a shift's
#     attendance to mark (services.shifts), a timesheet to approve or dispute and its reminder
#     (services.timesheets), an invoice issued (services.invoicing: pay or query it);
#   the whole team (`clinic_members`), as they ask nothing: the clinic approved, a placement
#     confirmed, a shift booked, an interview booked, moved, canceled or about to start (the
#     calendar invitation: a viewer may be the one who sits in the interview).
def clinic_members(clinic_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.clinic_id == clinic_id, User.role == Role.CLINIC)
        ).scalars()
    )


def clinic_managers(clinic_id: int) -> list[User]:
    """The clinic's active members who may act on its behalf (a login with no clinic role
    counts as a manager, as in clinic_team)."""
    return [m for m in clinic_members(clinic_id) if m.active and not m.is_clinic_viewer]


def _flushed_id(obj: Any) -> int:
    if obj.id is None:
        db.session.flush()
    return int(obj.id)


def _last_change_id(application: Application, stage: str) -> int:
    # Keyed on the stage change, so a second submission after a withdrawal still notifies.
    changes = [c for c in application.history if c.to_stage == stage]
    return _flushed_id(changes[-1]) if changes else 0


def _application_context(application: Application) -> dict[str, Any]:
    opening = application.opening
    return {
        "first_name": application.candidate.first_name,
        "candidate_name": application.candidate.full_name,
        "opening_title": opening.title,
        "clinic_name": opening.clinic.name,
        "opening_url": link(f"/jobs/{opening.id}"),
    }


def application_received(application: Application) -> None:
    """Tell the candidate their application arrived, and staff that there is a new one."""
    app_id = _flushed_id(application)
    context = {**_application_context(application), "dashboard_url": link("/me")}
    email_user(application.candidate.user, "application_received", context, f"applied:{app_id}")
    tell_staff("application_received", f"applied:{app_id}", application_id=app_id)


def _clinic_context(application: Application) -> dict[str, Any]:
    """What a clinic's e-mail may say about the candidate: the name as the portal shows it."""
    return {
        **_application_context(application),
        "first_name": "",
        "candidate_name": clinic_portal.display_name(application.candidate),
    }


def submitted_to_clinic(application: Application) -> None:
    """Tell the clinic's managers that the agency submitted a candidate to their opening."""
    change_id = _last_change_id(application, Stage.SUBMITTED)
    context = {**_clinic_context(application), "review_url": link("/clinic/")}
    key = f"submitted:{_flushed_id(application)}:{change_id}"
    # Asks for a decision (shortlist, interview, decline): managers only.
    for member in clinic_managers(application.opening.clinic_id):
        email_user(member, "submitted_to_clinic", context, key)


def stage_changed(application: Application, stage_change: StageChange) -> None:
    """Tell the candidate where their application stands; 'interview' is an invitation."""
    to_stage = stage_change.to_stage
    if to_stage == Stage.INTERVIEW and _has_proposed_interview(application):
        return  # the e-mail with the proposed times is the invitation (services.interviews)
    template = "interview_invitation" if to_stage == Stage.INTERVIEW else "stage_changed"
    context = {
        **_application_context(application),
        "stage": to_stage,
        "stage_words": STAGE_WORDS.get(to_stage, to_stage.replace("_", " ")),
        # Only words written for the candidate: never a staff reason or a clinic's note.
        "message": stage_change.text_for(Audience.CANDIDATE),
        "dashboard_url": link("/me"),
    }
    key = f"stage:{_flushed_id(stage_change)}"
    email_user(application.candidate.user, template, context, key)


def _has_proposed_interview(application: Application) -> bool:
    return (
        db.session.execute(
            select(Interview.id).where(
                Interview.application_id == application.id,
                Interview.status == InterviewStatus.PROPOSED,
            )
        ).first()
        is not None
    )


def placement_confirmed(application: Application) -> None:
    """Tell the candidate and the clinic's members that the placement is confirmed."""
    key = f"placed:{_flushed_id(application)}:{_last_change_id(application, Stage.PLACED)}"
    opening = application.opening
    context = {
        **_application_context(application),
        "start_date": opening.start_date.isoformat() if opening.start_date else "",
        "dashboard_url": link("/me"),
    }
    email_user(application.candidate.user, "placement_confirmed", context, key)
    clinic_context = {
        **context,
        **_clinic_context(application),
        "dashboard_url": link("/clinic/"),
    }
    for member in clinic_members(opening.clinic_id):
        email_user(member, "placement_confirmed_clinic", clinic_context, key)


def clinic_approved(clinic: Clinic) -> None:
    """Tell the clinic's members they can now post openings."""
    clinic_id = _flushed_id(clinic)
    context = {"clinic_name": clinic.name, "dashboard_url": link("/clinic/")}
    for member in clinic_members(clinic_id):
        email_user(member, "clinic_approved", context, f"clinic-approved:{clinic_id}")


def new_opening_fits(candidate: Candidate, opening: Opening, score: float) -> bool:
    """Alert an opted-in candidate to a strong new match, at most once a day; True if staged."""
    user = candidate.user
    if score < STRONG_MATCH or user is None or not user.notify_new_openings:
        return False
    posted = opening.posted_at or opening.created_at
    if posted is not None and posted < utcnow() - timedelta(days=NEW_OPENING_DAYS):
        return False
    prefix = f"opening-fits:{candidate.id}:"
    recent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.created_at >= utcnow() - timedelta(days=1),
        )
    )
    if recent:
        return False
    context = {
        "first_name": candidate.first_name,
        "opening_title": opening.title,
        "clinic_name": opening.clinic.name,
        "score": round(float(score)),
        "opening_url": link(f"/jobs/{opening.id}"),
    }
    staged = email_user(user, "new_opening_fits", context, f"{prefix}{opening.id}", "openings")
    return staged is not None


def account_erased(candidate_id: int) -> None:
    """Tell staff a candidate erased their account (no personal data in the message)."""
    tell_staff("account_erased", f"account-erased:{candidate_id}", candidate_id=candidate_id)


def alert_strong_matches(opening_id: int) -> int:
    """After a rescore, offer the opening to opted-in candidates it fits strongly; staged count."""
    opening = db.session.get(Opening, opening_id)
    if opening is None or opening.status != OpeningStatus.OPEN:
        return 0
    applied = select(Application.candidate_id).where(Application.opening_id == opening_id)
    rows = db.session.execute(
        select(Candidate, Match.score)
        .join(Match, Match.candidate_id == Candidate.id)
        .join(User, User.id == Candidate.user_id)
        .where(
            Match.opening_id == opening_id,
            Match.eligible.is_(True),
            Match.score >= STRONG_MATCH,
            User.notify_new_openings.is_(True),
            Candidate.id.not_in(applied),
        )
    ).all()
    return sum(new_opening_fits(candidate, opening, score) for candidate, score in rows)


def active_staff() -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))
        ).scalars()
    )


def fan_out_to_staff(payload: dict[str, Any], key: str) -> int:
    """Stage one e-mail per active staff user for a "notify_staff" row; the staged count."""
    template, context = staff_message(payload)
    return sum(email_user(user, template, context, key) is not None for user in active_staff())


def staff_message(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The template and context for a staff event; unknown events get a generic message."""
    event = str(payload.get("event", ""))
    context: dict[str, Any] = {"event": event, "details": payload, "staff_url": link("/staff/")}
    if event == "application_received":
        application = db.session.get(Application, payload.get("application_id"))
        if application is not None:
            return "staff_application_received", {**context, **_application_context(application)}
    elif event == "clinic_signed_up":
        clinic = db.session.get(Clinic, payload.get("clinic_id"))
        if clinic is not None:
            place = ", ".join(p for p in (clinic.city, clinic.state) if p)
            return "staff_clinic_signed_up", {**context, "clinic_name": clinic.name, "place": place}
    elif event == "opening_posted":
        opening = db.session.get(Opening, payload.get("opening_id"))
        if opening is not None:
            return "staff_opening_posted", {
                **context,
                "opening_title": opening.title,
                "clinic_name": opening.clinic.name,
            }
    elif event == "account_erased":
        return "staff_account_erased", {**context, "candidate_id": payload.get("candidate_id")}
    elif event == "credential_reminders":
        return "staff_credential_reminders", {
            **context,
            "day": payload.get("day", ""),
            **credential_reminders_context(payload.get("reminder_ids") or []),
        }
    elif event in SHIFT_HEADLINES:
        shift_context = _shift_context(payload.get("shift_id"))
        if shift_context is not None:
            return "staff_shift_event", {
                **context,
                **shift_context,
                "headline": SHIFT_HEADLINES[event],
            }
    elif event == "credential_expiring":
        credential = db.session.get(Credential, payload.get("credential_id"))
        if credential is not None:
            return "staff_credential_expiring", {
                **context,
                **credential_context(credential),
                "days": payload.get("days"),
            }
    return "staff_event", context


SHIFT_HEADLINES = {
    "shift_requested": "A clinic requested a shift",
    "shift_gap": "A booking was canceled: the shift has a gap again",
    "shift_unfilled": "A shift starting within 48 hours is not filled",
    "timesheet_disputed": "A clinic disputed a timesheet: staff must resolve it",
}


def _shift_context(shift_id: Any) -> dict[str, Any] | None:
    from agency.models import Shift
    from agency.services.shifts import when

    shift = db.session.get(Shift, shift_id) if isinstance(shift_id, int) else None
    if shift is None:
        return None
    return {
        "opening_title": shift.opening.title,
        "clinic_name": shift.clinic.name,
        "when": when(shift),
        "booked": shift.booked_count,
        "headcount": shift.headcount,
        "shift_url": link(f"/staff/shifts/{shift.id}"),
    }


# A scan's summary lists this many reminders by name; the rest are counted.
SUMMARY_LISTED = 100


def credential_reminders_context(reminder_ids: list[int]) -> dict[str, Any]:
    """The reminders one scan made, tightest threshold and soonest expiry first."""
    rows = list(
        db.session.execute(
            select(CredentialReminder)
            .options(
                selectinload(CredentialReminder.credential).selectinload(Credential.candidate),
                selectinload(CredentialReminder.credential).selectinload(
                    Credential.credential_type
                ),
            )
            .where(CredentialReminder.id.in_([int(i) for i in reminder_ids]))
            .order_by(
                CredentialReminder.threshold, CredentialReminder.expires_on, CredentialReminder.id
            )
        ).scalars()
    )
    listed = [
        {**credential_context(r.credential), "days": r.threshold} for r in rows[:SUMMARY_LISTED]
    ]
    return {"count": len(rows), "reminders": listed, "more": max(len(rows) - SUMMARY_LISTED, 0)}


def credential_context(credential: Credential) -> dict[str, Any]:
    return {
        "first_name": credential.candidate.first_name,
        "candidate_name": credential.candidate.full_name,
        "credential_name": credential.credential_type.name,
        "expires_on": credential.expires_on.isoformat() if credential.expires_on else "",
    }

"""Clinic teams: the logins of one clinic (managers and viewers), invitations to colleagues,
removals, and the clinic's own activity log in its own words.

Nothing here commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Candidate,
    Clinic,
    ClinicRole,
    Opening,
    Role,
    Shift,
    Stage,
    User,
)
from agency.services import accounts, audit, clinic_portal, passwords
from agency.services.errors import FieldError


class TeamError(FieldError):
    pass


def members(clinic_id: int) -> list[User]:
    """The clinic's active logins, managers first."""
    return list(
        db.session.execute(
            select(User)
            .where(
                User.clinic_id == clinic_id,
                User.role == Role.CLINIC,
                User.active.is_(True),
            )
            .order_by(User.clinic_role, User.email)
        ).scalars()
    )


def member_of(clinic_id: int, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    if user is None or user.clinic_id != clinic_id or user.role != Role.CLINIC:
        return None
    return user if user.active else None


def is_manager(user: User) -> bool:
    return user.clinic_role != ClinicRole.VIEWER


def invite(clinic: Clinic, email: str, role: str, actor: User, ip: str = "") -> User:
    """Create the colleague's login (a random password nobody knows) and e-mail them a
    single-use link to set their own. A removed colleague can be invited again."""
    if role not in ClinicRole.values():
        raise TeamError("Choose manager or viewer.", field="role")
    email = accounts.normalise_email(email)
    user = accounts.find_user(email)
    if user is not None and not (
        user.clinic_id == clinic.id and user.role == Role.CLINIC and not user.active
    ):
        raise TeamError(
            "This e-mail already has a ClinicMatch account. Ask them to use another address.",
            field="email",
        )
    if user is None:
        user = accounts.create_user(email, secrets.token_urlsafe(32), Role.CLINIC)
    else:
        # Back after a removal: a new password comes with the invitation.
        user.active = True
        user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))
        accounts.end_sessions(user)
    user.clinic_id = clinic.id
    user.clinic_role = ClinicRole(role)
    db.session.flush()
    accounts.invite_to_clinic(user, clinic.name, actor.email)
    audit.record(
        "clinic_member_invited",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        ip=ip,
        details={"clinic_id": clinic.id, "role": role},
    )
    return user


def _managers_left(clinic_id: int, but: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(User.id)).where(
                User.clinic_id == clinic_id,
                User.role == Role.CLINIC,
                User.active.is_(True),
                User.id != but,
                or_(User.clinic_role.is_(None), User.clinic_role == ClinicRole.MANAGER),
            )
        )
        or 0
    )


def remove(clinic: Clinic, member: User, actor: User, ip: str = "") -> None:
    """Take the login off the team: it can no longer log in, and its sessions end. The last
    manager stays (someone must be able to run the clinic's account)."""
    if is_manager(member) and _managers_left(clinic.id, but=member.id) == 0:
        raise TeamError("The clinic needs at least one manager: make someone else manager first.")
    member.active = False
    accounts.end_sessions(member)
    audit.record(
        "clinic_member_removed",
        actor_id=actor.id,
        object_type="user",
        object_id=member.id,
        ip=ip,
        details={"clinic_id": clinic.id},
    )


def change_role(clinic: Clinic, member: User, role: str, actor: User, ip: str = "") -> None:
    if role not in ClinicRole.values():
        raise TeamError("Choose manager or viewer.", field="role")
    if (
        role == ClinicRole.VIEWER
        and is_manager(member)
        and _managers_left(clinic.id, but=member.id) == 0
    ):
        raise TeamError("The clinic needs at least one manager: make someone else manager first.")
    member.clinic_role = ClinicRole(role)
    audit.record(
        "clinic_member_role_changed",
        actor_id=actor.id,
        object_type="user",
        object_id=member.id,
        ip=ip,
        details={"clinic_id": clinic.id, "role": role},
    )


# ---- the clinic's activity log ---------------------------------------------------------------

STAGE_WORDS: dict[str, str] = {
    Stage.SUBMITTED: "submitted {candidate}",
    Stage.INTERVIEW: "moved {candidate} to interview",
    Stage.OFFERED: "made {candidate} an offer",
    Stage.PLACED: "placed {candidate}",
    Stage.REJECTED: "declined {candidate}",
}
# Audit actions a clinic may read about, in its words. Details (reasons, notes) are never shown:
# a staff member's reason is the agency's business.
ACTION_WORDS = {
    "opening_created": "created the opening",
    "opening_updated": "edited the opening",
    "opening_status_changed": "changed the opening's status",
    "interview_proposed": "proposed interview times for {candidate}",
    "interview_booked": "booked an interview time with {candidate}",
    "interview_rescheduled": "rescheduled the interview with {candidate}",
    "interview_cancelled": "canceled the interview with {candidate}",
    "interview_outcome": "recorded the interview outcome for {candidate}",
    "shift_requested": "requested a shift",
    "shift_cancelled": "canceled a shift",
    "shift_attendance_marked": "marked attendance on a shift",
}
OPENING_ACTIONS = ("opening_created", "opening_updated", "opening_status_changed")
APPLICATION_ACTIONS = (
    "stage_changed",
    "placement",
    *(a for a in ACTION_WORDS if a.startswith("interview_")),
)
SHIFT_ACTIONS = ("shift_requested", "shift_cancelled", "shift_attendance_marked")


@dataclass(frozen=True)
class Activity:
    at: datetime
    who: str
    what: str
    opening_title: str


def activity(clinic: Clinic, limit: int = 100) -> list[Activity]:
    """Who did what on the clinic's openings (its own logins by e-mail; agency staff as "The
    agency"), newest first: openings, the candidates the agency submitted, interviews, shifts."""
    own_openings = select(Opening.id).where(Opening.clinic_id == clinic.id)
    shown_applications = select(Application.id).where(
        Application.opening_id.in_(own_openings), clinic_portal.shown_to_clinic()
    )
    own_shifts = select(Shift.id).where(Shift.clinic_id == clinic.id)
    events = list(
        db.session.execute(
            select(AuditEvent)
            .where(
                or_(
                    and_(
                        AuditEvent.object_type == "opening",
                        AuditEvent.action.in_(OPENING_ACTIONS),
                        AuditEvent.object_id.in_(own_openings),
                    ),
                    and_(
                        AuditEvent.object_type == "application",
                        AuditEvent.action.in_(APPLICATION_ACTIONS),
                        AuditEvent.object_id.in_(shown_applications),
                    ),
                    and_(
                        AuditEvent.object_type == "shift",
                        AuditEvent.action.in_(SHIFT_ACTIONS),
                        AuditEvent.object_id.in_(own_shifts),
                    ),
                )
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )
    actors = {
        u.id: u
        for u in db.session.execute(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).scalars()
    }
    app_ids = {e.object_id for e in events if e.object_type == "application"}
    applications = {
        a.id: (a, c, o)
        for a, c, o in db.session.execute(
            select(Application, Candidate, Opening)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Opening, Opening.id == Application.opening_id)
            .where(Application.id.in_(app_ids))
        ).all()
    }
    shift_ids = {e.object_id for e in events if e.object_type == "shift"}
    shift_openings = dict(
        db.session.execute(
            select(Shift.id, Opening.title)
            .join(Opening, Opening.id == Shift.opening_id)
            .where(Shift.id.in_(shift_ids))
        ).all()
    )
    opening_titles = dict(
        db.session.execute(
            select(Opening.id, Opening.title).where(
                Opening.id.in_({e.object_id for e in events if e.object_type == "opening"})
            )
        ).all()
    )
    found = []
    for event in events:
        actor = actors.get(event.actor_id) if event.actor_id else None
        if actor is not None and actor.clinic_id == clinic.id and actor.role == Role.CLINIC:
            who = actor.email
        elif actor is not None and actor.is_staff:
            who = "The agency"
        elif actor is not None and actor.role == Role.CANDIDATE:
            who = "The candidate"
        else:
            who = "ClinicMatch"
        title, candidate_name = "", ""
        if event.object_type == "application" and event.object_id in applications:
            _app, cand, opening = applications[event.object_id]
            title, candidate_name = opening.title, clinic_portal.display_name(cand)
        elif event.object_type == "shift":
            title = shift_openings.get(event.object_id or 0, "")
        else:
            title = opening_titles.get(event.object_id or 0, "")
        if event.action in ("stage_changed", "placement"):
            words = STAGE_WORDS.get(str((event.details or {}).get("to", "")))
            if words is None:
                continue  # a stage the clinic does not see (shortlisted, withdrawn...)
        else:
            words = ACTION_WORDS[event.action]
        found.append(Activity(event.created_at, who, words.format(candidate=candidate_name), title))
    return found

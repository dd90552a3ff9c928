"""What a clinic sees: its profile, its openings, and only the candidates the agency submitted.

A candidate is shown to a clinic only once staff submitted them to one of its openings, as a
curated submittal: the parts of the profile the candidate agreed to share (never contact
details) and what the recruiter wrote for the clinic, never the engine's internal verdicts or a
staff reason. Every view is audited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, insert, or_, select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.ids import MAX_ID
from agency.models import (
    Application,
    Audience,
    AuditEvent,
    Candidate,
    CandidateSkill,
    CandidateStatus,
    Clinic,
    Credential,
    Note,
    Opening,
    Role,
    Stage,
    StageChange,
    User,
    VerificationStatus,
    utcnow,
)
from agency.models.openings import opening_with_requirements
from agency.services import audit, geo, openings, regional
from agency.services.errors import FieldError
from matching.taxonomy import load_taxonomy

# Stages in which a submitted candidate stays visible to the clinic.
SHOWN_STAGES = (
    Stage.SUBMITTED,
    Stage.INTERVIEW,
    Stage.OFFERED,
    Stage.PLACED,
)
EXPIRING_DAYS = 30
DECLINE_REASONS = (
    "Not enough experience",
    "Skills do not match",
    "Schedule does not fit",
    "Position filled",
    "Other",
)


class ClinicError(FieldError):
    """A refusal the form shows next to `field`."""


# ---- profile ----------------------------------------------------------------------------------


@dataclass
class ClinicProfile:
    name: str
    zip_code: str
    address_line: str = ""
    city: str = ""
    state: str = ""
    specialty: str = ""
    ehr_system: str = ""
    phone: str = ""
    description: str = ""


def update_profile(clinic: Clinic, data: ClinicProfile, actor: User, ip: str = "") -> Clinic:
    """Save the clinic's profile; the ZIP code sets its coordinates (and city/state if blank)."""
    location = geo.lookup_zip(data.zip_code)
    if location is None:
        raise ClinicError("We could not find that US ZIP code.", "zip_code")
    if data.ehr_system and data.ehr_system not in regional.taxonomy().ehr_systems:
        raise ClinicError("Choose an EHR system from the list.", "ehr_system")
    moved = (clinic.lat, clinic.lon) != (location.lat, location.lon)
    new_zip = location.zip_code != clinic.zip_code
    # A new ZIP brings its own city and state unless the clinic typed different ones.
    city = data.city if data.city and not (new_zip and data.city == clinic.city) else ""
    state = data.state if data.state and not (new_zip and data.state == clinic.state) else ""
    clinic.name = data.name.strip()[:200]
    clinic.zip_code = location.zip_code
    clinic.lat, clinic.lon = location.lat, location.lon
    clinic.address_line = data.address_line[:200]
    clinic.city = (city or location.city)[:100]
    clinic.state = (state or location.state).upper()[:2]
    clinic.specialty = data.specialty[:100]
    clinic.ehr_system = data.ehr_system
    clinic.phone = data.phone[:32]
    clinic.description = data.description[:5000]
    db.session.flush()
    if moved:
        # Distance is part of every match: the clinic's openings need fresh scores.
        for opening in clinic.openings:
            openings.request_rescore(opening)
    audit.record(
        "clinic_profile_updated",
        actor_id=actor.id,
        object_type="clinic",
        object_id=clinic.id,
        ip=ip,
    )
    return clinic


# ---- which applications a clinic may see --------------------------------------------------------


def shown_to_clinic() -> ColumnElement[bool]:
    """Applications the agency submitted: in a submitted-or-later stage, or declined after it."""
    was_submitted = exists().where(
        StageChange.application_id == Application.id, StageChange.to_stage == Stage.SUBMITTED
    )
    erased = exists().where(
        Candidate.id == Application.candidate_id,
        Candidate.status == CandidateStatus.ERASED,
    )
    return or_(
        Application.stage.in_(SHOWN_STAGES),
        and_(Application.stage == Stage.REJECTED, was_submitted),
        # Erasure withdrew a submitted candidate: the clinic reads "withdrawn" (no name), rather
        # than the person vanishing from an opening it was considering them for.
        and_(Application.stage == Stage.WITHDRAWN, was_submitted, erased),
    )


def _application_query(profiles: bool = True) -> Any:
    """Applications shown to the clinic, with their history (the clinic's outcome reads it) and
    their candidate; with the candidate's skills and credentials too unless `profiles` is off."""
    candidate = selectinload(Application.candidate)
    loads = [candidate, selectinload(Application.history).joinedload(StageChange.actor)]
    if profiles:
        loads += [
            candidate.selectinload(Candidate.skills).joinedload(CandidateSkill.skill),
            candidate.selectinload(Candidate.credentials).joinedload(Credential.credential_type),
        ]
    return select(Application).join(Application.opening).options(*loads).where(shown_to_clinic())


def openings_page(clinic: Clinic, page: int, per_page: int) -> Any:
    """The clinic's openings, newest first, as a Flask-SQLAlchemy page."""
    return db.paginate(
        select(Opening)
        .where(Opening.clinic_id == clinic.id)
        .order_by(Opening.created_at.desc(), Opening.id.desc()),
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )


def opening_ids(clinic: Clinic) -> list[int]:
    """The ids of all the clinic's openings, in every status."""
    return list(
        db.session.execute(select(Opening.id).where(Opening.clinic_id == clinic.id)).scalars()
    )


def submitted_at(application: Application) -> datetime:
    """When the application was last submitted to the clinic (its creation, failing that)."""
    stamp = db.session.scalar(
        select(StageChange.created_at)
        .where(
            StageChange.application_id == application.id,
            StageChange.to_stage == Stage.SUBMITTED,
        )
        .order_by(StageChange.created_at.desc())
        .limit(1)
    )
    return stamp or application.created_at


def submitted_for(
    clinic: Clinic, opening_ids: list[int], profiles: bool = True
) -> dict[int, list[Application]]:
    """The submitted applications of these openings (of this clinic), in one round of queries.
    `profiles=False` leaves the candidates' skills and credentials unloaded: a list of names
    and outcomes (the dashboard) does not show them, and they are most of the rows read."""
    out: dict[int, list[Application]] = {oid: [] for oid in opening_ids}
    if not opening_ids:
        return out
    rows = db.session.execute(
        _application_query(profiles)
        .where(Opening.clinic_id == clinic.id, Application.opening_id.in_(opening_ids))
        .order_by(Application.updated_at.desc(), Application.id.desc())
    ).scalars()
    for application in rows:
        out[application.opening_id].append(application)
    return out


def placed_among(shown: Iterable[Application]) -> Counter[int]:
    """Placed applications per opening, counted from those shown to the clinic: every placed
    application is among them (SHOWN_STAGES), so the count needs no query of its own."""
    return Counter(a.opening_id for a in shown if a.stage == Stage.PLACED)


def application_for(clinic: Clinic, application_id: int) -> Application | None:
    """One application the clinic may act on, or None (foreign or never submitted: a 404)."""
    if not 0 < application_id <= MAX_ID:
        return None
    return db.session.execute(
        _application_query()
        .options(joinedload(Application.opening).joinedload(Opening.clinic))
        .where(Application.id == application_id, Opening.clinic_id == clinic.id)
    ).scalar_one_or_none()


def opening_for(clinic: Clinic, opening_id: int) -> Opening | None:
    """The clinic's own opening with its requirements, or None (another clinic's: a 404)."""
    if not 0 < opening_id <= MAX_ID:
        return None
    return opening_with_requirements(Opening.id == opening_id, Opening.clinic_id == clinic.id)


# ---- what the agency shares about a candidate ---------------------------------------------------


@dataclass(frozen=True)
class SharedCredential:
    name: str
    code: str
    verified: bool
    expires_on: date | None
    expired: bool
    expiring: bool


@dataclass
class SharedProfile:
    """The parts of a candidate's profile a clinic sees: no phone, e-mail or address."""

    display_name: str
    shared: bool
    years_experience: float = 0.0
    typing_wpm: int | None = None
    skills: list[tuple[str, str, int]] = field(default_factory=list)  # (category, name, level)
    ehr: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    credentials: list[SharedCredential] = field(default_factory=list)
    availability: list[openings.ScheduleDay] = field(default_factory=list)
    availability_mask: int = 0

    @property
    def availability_bits(self) -> set[int]:
        return set(openings.bits_from_mask(self.availability_mask))


# What a clinic reads in place of the name of a person who erased their account: what happened,
# not a placeholder name.
ERASED_DISPLAY = "Withdrawn"


def display_name(candidate: Candidate) -> str:
    if candidate.status == CandidateStatus.ERASED:
        return ERASED_DISPLAY
    initial = (candidate.last_name or "").strip()[:1]
    return f"{candidate.first_name} {initial}.".strip() if initial else candidate.first_name


def shared_profile(candidate: Candidate, today: date | None = None) -> SharedProfile:
    today = today or date.today()
    name = display_name(candidate)
    if not candidate.consent_share_profile or candidate.status == CandidateStatus.ERASED:
        return SharedProfile(display_name=name, shared=False)
    tax = load_taxonomy()
    categories = {c.code: c.name for c in tax.categories}
    skills = sorted(
        (categories.get(cs.skill.category, cs.skill.category), cs.skill.name, cs.level)
        for cs in candidate.skills
        if cs.level > 0
    )
    creds = []
    for cred in sorted(candidate.credentials, key=lambda c: c.credential_type.code):
        expires = cred.expires_on
        creds.append(
            SharedCredential(
                name=cred.credential_type.name,
                code=cred.credential_type.code,
                verified=cred.verification_status == VerificationStatus.VERIFIED,
                expires_on=expires,
                expired=expires is not None and expires < today,
                expiring=expires is not None
                and today <= expires <= today + timedelta(days=EXPIRING_DAYS),
            )
        )
    return SharedProfile(
        display_name=name,
        shared=True,
        years_experience=float(candidate.years_experience or 0),
        typing_wpm=candidate.typing_wpm,
        skills=skills,
        ehr=[tax.name_of(c) for c in candidate.ehr_systems or []],
        languages=[tax.name_of(c) for c in candidate.languages or []],
        credentials=creds,
        availability=openings.schedule_days(candidate.availability_mask or 0),
        availability_mask=candidate.availability_mask or 0,
    )


@dataclass(frozen=True)
class ClinicStage:
    """An application's stage in the clinic's words, with the reason the clinic may read."""

    label: str
    kind: str
    reason: str = ""


STAGE_WORDS = {
    Stage.SUBMITTED: ("New: please review", "info"),
    Stage.INTERVIEW: ("Interview", "primary"),
    Stage.OFFERED: ("Offered", "success"),
    Stage.PLACED: ("Placed", "success"),
    Stage.REJECTED: ("Declined", "muted"),
}
AGENCY_WITHDREW = ClinicStage("Withdrawn by the agency", "muted")


def clinic_stage(application: Application) -> ClinicStage:
    """ "Declined" with the clinic's own reason only when the clinic declined; a candidate the
    agency took back is "withdrawn by the agency" (its staff reason stays with staff)."""
    if application.stage != Stage.REJECTED:
        label, kind = STAGE_WORDS.get(application.stage, (application.stage.capitalize(), "muted"))
        return ClinicStage(label, kind)
    rejections = [c for c in application.history if c.to_stage == Stage.REJECTED]
    last = rejections[-1] if rejections else None
    if last is None or last.actor is None or last.actor.role != Role.CLINIC:
        return AGENCY_WITHDREW
    return ClinicStage("Declined", "muted", last.text_for(Audience.CLINIC))


def submittal_notes(applications: list[Application]) -> dict[int, list[Note]]:
    """What the recruiters wrote for the clinic about each application (oldest first)."""
    out: dict[int, list[Note]] = {a.id: [] for a in applications}
    if not applications:
        return out
    rows = db.session.execute(
        select(Note)
        .where(Note.application_id.in_(list(out)), Note.audience == Audience.CLINIC)
        .order_by(Note.created_at, Note.id)
    ).scalars()
    for note in rows:
        if note.application_id is not None:  # the query asked for these applications only
            out[note.application_id].append(note)
    return out


def record_views(
    actor: User, applications: list[Application], ip: str = "", where: str = ""
) -> None:
    """One audit event per candidate a clinic member was shown, in a single INSERT."""
    if not applications:
        return
    now = utcnow()
    rows = [
        {
            "action": "clinic_viewed_candidate",
            "actor_id": actor.id,
            "object_type": "candidate",
            "object_id": application.candidate_id,
            "candidate_id": application.candidate_id,
            "ip": ip[:64],
            "details": {
                "application_id": application.id,
                "opening_id": application.opening_id,
                "clinic_id": actor.clinic_id,
                "page": where,
            },
            "created_at": now,
        }
        for application in applications
    ]
    # Core executemany: a page of 30 candidates costs one statement, not 30.
    db.session.execute(insert(AuditEvent), rows)


# Words for the clinic's feedback buttons, by the stage they move to.
MOVE_LABELS = {
    Stage.INTERVIEW: "Invite to interview",
    Stage.OFFERED: "Hire (make an offer)",
    Stage.REJECTED: "Decline",
}

"""A candidate's own profile: contact, preferences, the weekly availability mask, skills,
credentials, how complete it is, and the rescore request that follows every change."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateSkill,
    Credential,
    CredentialType,
    Skill,
    SkillSource,
    VerificationStatus,
)
from agency.services import geo, outbox, regional, uploads
from agency.services.errors import FieldError
from matching import week
from matching.taxonomy import load_taxonomy

# The schedule mask's rule lives in matching.week; the profile views convert through this module.
from matching.week import bits_from_mask as bits_from_mask
from matching.week import cells as cells
from matching.week import describe_blocks as describe_blocks
from matching.week import mask_from_bits as mask_from_bits

DAYS = week.DAYS
BLOCKS = (("Morning", "7-12"), ("Afternoon", "12-17"), ("Evening", "17-21"))
SKILL_LEVELS = (
    (0, "None"),
    (1, "Basic"),
    (2, "Working"),
    (3, "Strong"),
    (4, "Expert"),
)
EXPIRING_DAYS = 30


class ProfileError(FieldError):
    """A profile change that cannot be made; `field` names the form field."""


# ---- availability -----------------------------------------------------------------------------


# ---- contact and preferences ------------------------------------------------------------------


@dataclass
class ProfileInput:
    first_name: str
    last_name: str
    phone: str
    zip_code: str
    commute_miles: float
    desired_roles: list[str]
    min_pay: Decimal | None
    availability_mask: int
    years_experience: float
    typing_wpm: int | None
    ehr_systems: list[str]
    languages: list[str]
    summary: str


def update_profile(candidate: Candidate, data: ProfileInput) -> None:
    location = geo.lookup_zip(data.zip_code) if data.zip_code else None
    if data.zip_code and location is None:
        raise ProfileError("Enter a real 5-digit US ZIP code.", field="zip_code")
    candidate.first_name = data.first_name
    candidate.last_name = data.last_name
    candidate.phone = data.phone or ""
    candidate.zip_code = location.zip_code if location else ""
    candidate.lat = location.lat if location else None
    candidate.lon = location.lon if location else None
    candidate.commute_miles = float(data.commute_miles)
    candidate.desired_roles = sorted(set(data.desired_roles))
    candidate.min_pay = data.min_pay
    candidate.availability_mask = data.availability_mask & week.FULL_MASK
    candidate.years_experience = float(data.years_experience)
    candidate.typing_wpm = data.typing_wpm
    candidate.ehr_systems = sorted(set(data.ehr_systems))
    candidate.languages = sorted(set(data.languages))
    candidate.summary = data.summary or ""


def skills_by_category() -> list[tuple[str, list[Skill]]]:
    """Every skill of the taxonomy, grouped by its category (taxonomy order)."""
    order = {c.code: (i, c.name) for i, c in enumerate(load_taxonomy().categories)}
    skills = db.session.execute(select(Skill).order_by(Skill.name)).scalars().all()
    groups: dict[str, list[Skill]] = {}
    for skill in skills:
        groups.setdefault(skill.category, []).append(skill)
    ordered = sorted(groups.items(), key=lambda kv: order.get(kv[0], (999, kv[0])))
    return [(order.get(cat, (0, cat))[1], items) for cat, items in ordered]


def set_skills(candidate: Candidate, levels: dict[int, int]) -> None:
    """Set the candidate's own levels (skill id -> 0-4); level 0 removes the skill."""
    known = set(db.session.execute(select(Skill.id)).scalars())
    current = {cs.skill_id: cs for cs in candidate.skills}
    for skill_id, level in levels.items():
        if skill_id not in known or not 0 <= level <= 4:
            continue
        row = current.get(skill_id)
        if level == 0:
            if row is not None:
                candidate.skills.remove(row)
        elif row is None:
            candidate.skills.append(
                CandidateSkill(skill_id=skill_id, level=level, source=SkillSource.SELF)
            )
        elif row.level != level:
            row.level = level
            row.source = SkillSource.SELF


def request_rescore(candidate_id: int) -> None:
    """Ask the worker to rescore this candidate (an outbox row in the caller's transaction)."""
    outbox.add(
        "rescore_candidate",
        {"candidate_id": candidate_id},
        dedupe_key=f"rescore-candidate:{candidate_id}:{int(time.time())}",
    )


# ---- credentials ------------------------------------------------------------------------------


@dataclass
class CredentialInput:
    credential_type_id: int
    issuer: str
    number: str
    issued_on: date | None
    expires_on: date | None


def credential_types() -> list[CredentialType]:
    """The credentials a candidate may add: the agency's country's (and those held everywhere)."""
    offered = {c.code for c in regional.taxonomy().credentials}
    elsewhere = [c.code for c in load_taxonomy().credentials if c.code not in offered]
    return list(
        db.session.execute(
            select(CredentialType)
            .where(CredentialType.code.not_in(elsewhere))
            .order_by(CredentialType.name)
        ).scalars()
    )


def save_credential(
    candidate: Candidate,
    credential: Credential | None,
    data: CredentialInput,
    document: uploads.CheckedFile | None = None,
) -> tuple[Credential, bool]:
    """Add or edit a credential. Returns it and whether a verified one went back to pending.

    Any change to a verified credential needs checking again, so it returns to pending.
    """
    if db.session.get(CredentialType, data.credential_type_id) is None:
        raise ProfileError("Choose a credential from the list.", field="credential_type_id")
    if data.issued_on and data.expires_on and data.expires_on < data.issued_on:
        raise ProfileError("The expiry date is before the issue date.", field="expires_on")
    if credential is None:
        credential = Credential(candidate=candidate)
        db.session.add(credential)
    before = (
        credential.credential_type_id,
        credential.issuer,
        credential.number,
        credential.issued_on,
        credential.expires_on,
    )
    credential.credential_type_id = data.credential_type_id
    credential.issuer = data.issuer or ""
    credential.number = data.number or ""
    credential.issued_on = data.issued_on
    credential.expires_on = data.expires_on
    changed = before != (
        data.credential_type_id,
        data.issuer or "",
        data.number or "",
        data.issued_on,
        data.expires_on,
    )
    if document is not None:
        uploads.discard(credential.document_path)
        credential.document_path = uploads.store(document, "credentials")
        credential.document_filename = document.filename
        changed = True
    reset = False
    if changed and credential.verification_status != VerificationStatus.PENDING:
        reset = credential.verification_status == VerificationStatus.VERIFIED
        credential.verification_status = VerificationStatus.PENDING
        credential.verified_by_id = None
        credential.verified_at = None
    return credential, reset


def delete_credential(credential: Credential) -> None:
    uploads.discard(credential.document_path)
    db.session.delete(credential)


@dataclass(frozen=True)
class Expiry:
    state: str  # "none", "valid", "expiring", "expired"
    days: int | None
    label: str
    kind: str  # badge kind


def expiry(credential: Credential, today: date | None = None) -> Expiry:
    today = today or date.today()
    if credential.expires_on is None:
        return Expiry("none", None, "No expiry", "muted")
    days = (credential.expires_on - today).days
    if days < 0:
        return Expiry("expired", days, f"Expired {credential.expires_on:%b %d, %Y}", "danger")
    if days <= EXPIRING_DAYS:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return Expiry("expiring", days, f"Expires {when}", "warning")
    return Expiry("valid", days, f"Valid until {credential.expires_on:%b %d, %Y}", "success")


# ---- completeness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    weight: int
    done: bool


@dataclass(frozen=True)
class Completeness:
    percent: int
    steps: list[Step]

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)

    @property
    def message(self) -> str:
        step = self.next_step
        if step is None:
            return "Profile 100% complete"
        return f"Profile {self.percent}% complete: {step.label}"


def completeness(candidate: Candidate) -> Completeness:
    """How far the profile is, and the next thing to add (the order a person fills it in)."""
    steps = [
        Step(
            "contact",
            "add your phone and ZIP code",
            15,
            bool(candidate.phone and candidate.zip_code),
        ),
        Step(
            "preferences",
            "choose the roles you want and your minimum pay",
            15,
            bool(candidate.desired_roles) and candidate.min_pay is not None,
        ),
        Step("availability", "tick when you can work", 15, bool(candidate.availability_mask)),
        Step("skills", "rate at least three skills", 20, len(candidate.skills) >= 3),
        Step(
            "systems",
            "add your typing speed, EHR systems and languages",
            10,
            bool(candidate.typing_wpm and candidate.languages),
        ),
        Step("resume", "upload your resume", 15, bool(candidate.resume_path)),
        Step("credentials", "add your credentials", 10, bool(candidate.credentials)),
    ]
    percent = sum(s.weight for s in steps if s.done)
    return Completeness(percent=percent, steps=steps)

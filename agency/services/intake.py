"""Staff intake: a candidate who phoned in, typed in by staff.

The record is checked by the same rules as a person's own sign-up and profile (a real e-mail no
account has, a US phone number, a real ZIP code), marked with who entered it, and its person is
invited by e-mail to claim it: set a password and accept the terms. Until then the record is
ranked for staff but cannot be submitted to a clinic, and nothing of it is shown to one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from agency.extensions import db
from agency.models import Candidate, Role, User
from agency.services import accounts, audit, duplicates, geo, profiles


class IntakeError(accounts.AccountError):
    """A refused entry; `field` names the form field."""


@dataclass
class CandidateEntry:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    zip_code: str = ""
    desired_roles: list[str] = field(default_factory=list)
    years_experience: float = 0.0


def enter_candidate(entry: CandidateEntry, actor: User, ip: str = "") -> Candidate:
    """Create the record and its login (a random password nobody knows) and stage the
    invitation; caller commits."""
    location = geo.lookup_zip(entry.zip_code) if entry.zip_code else None
    if entry.zip_code and location is None:
        raise IntakeError("Enter a real 5-digit US ZIP code.", field="zip_code")
    if accounts.find_user(entry.email) is not None:
        raise IntakeError(
            "An account with this e-mail already exists: search for the person instead.",
            field="email",
        )
    user = accounts.create_user(entry.email, secrets.token_urlsafe(32), Role.CANDIDATE)
    candidate = Candidate(
        user=user,
        first_name=entry.first_name.strip(),
        last_name=entry.last_name.strip(),
        phone=entry.phone or "",
        zip_code=location.zip_code if location else "",
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        desired_roles=sorted(set(entry.desired_roles)),
        years_experience=float(entry.years_experience or 0),
        entered_by_id=actor.id,
        # Shared with clinics only once the person has accepted the terms.
        consent_share_profile=False,
    )
    db.session.add(candidate)
    db.session.flush()
    duplicates.flag(candidate)
    audit.record(
        "candidate_entered",
        actor_id=actor.id,
        object_type="candidate",
        object_id=candidate.id,
        ip=ip,
    )
    accounts.invite_to_claim(candidate)
    profiles.request_rescore(candidate.id)
    return candidate

"""A candidate import's rows made ready to write, on the thread that checks the next batch.

The thread that writes a batch waits on PostgreSQL for about half of an import. Whatever needs
no database (normalised e-mails, the rows' values, ZIP locations, the claim invitations and
their encoded e-mails) is worked out here, while that thread waits, so that it only looks the
e-mails up, numbers the rows and writes them (imports._write_candidates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agency.models import Role, utcnow
from agency.services import accounts, geo

# A stored password no argon2 hash ever equals: the imported person has no password until
# they claim the record from the invitation (hashing a random one per row would cost ~50 ms).
NO_PASSWORD = "!unclaimed-import"  # noqa: S105 (a marker, no secret)


@dataclass(slots=True)
class Person:
    """One good row of a candidate import, ready to write."""

    email: str  # normalised, as stored
    first_name: str
    user: dict[str, Any]  # the users row, without its id
    candidate: dict[str, Any]  # the candidates row, without its id and user_id
    skills: dict[str, int]  # skill code -> level
    claim: accounts.ClaimDraft | None  # the invitation, when the job sends them


def ready(
    good: list[tuple[int, dict[str, Any]]], *, entered_by_id: int | None, invitations: bool
) -> list[tuple[int, Person]]:
    """The checked rows (file row, cleaned data) as Persons, in order. Needs the app (the
    invitations' secret and address), never the database: it runs beside the writes."""
    now = utcnow()
    people = []
    for number, data in good:
        location = geo.lookup_zip(data.get("zip_code") or "")
        email = accounts.normalise_email(data["email"])
        user = {
            "email": email,
            "password_hash": NO_PASSWORD,
            "role": Role.CANDIDATE.value,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        candidate = {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data.get("phone") or "",
            "zip_code": location.zip_code if location else "",
            "lat": location.lat if location else None,
            "lon": location.lon if location else None,
            "desired_roles": [data["desired_role"]] if data.get("desired_role") else [],
            "years_experience": float(data.get("years_experience") or 0),
            "entered_by_id": entered_by_id,
            # Shared with clinics only once the person has claimed it and accepted the terms.
            "consent_share_profile": False,
            "created_at": now,
            "updated_at": now,
        }
        person = Person(email, data["first_name"], user, candidate, data.get("skills") or {}, None)
        people.append((number, person))
    if invitations:
        draft_missing_claims([person for _, person in people])
    return people


def draft_missing_claims(people: list[Person]) -> list[accounts.ClaimDraft]:
    """Draft the claim invitation of each of `people` who has none yet; every person's
    invitation, in order."""
    missing = [person for person in people if person.claim is None]
    drafts = accounts.draft_claims([(p.email, p.first_name) for p in missing])
    for person, draft in zip(missing, drafts, strict=True):
        person.claim = draft
    return [person.claim for person in people if person.claim is not None]

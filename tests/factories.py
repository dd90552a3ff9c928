"""Factory fixtures: each call returns a saved object; keyword arguments override the defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    Clinic,
    Credential,
    CredentialType,
    EmploymentType,
    Opening,
    OpeningStatus,
    Role,
    StageChange,
    User,
    VerificationStatus,
)
from agency.services import passwords

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def _hash() -> str:
    # One hash per run: argon2 is slow on purpose and every factory user shares the password.
    global _CACHED_HASH
    if _CACHED_HASH is None:
        _CACHED_HASH = passwords.hash_password(PASSWORD)
    return _CACHED_HASH


_CACHED_HASH: str | None = None


def _save(obj: Any) -> Any:
    db.session.add(obj)
    db.session.commit()
    return obj


class UserFactory:
    def __call__(self, role: str | Role = Role.CANDIDATE, **overrides: Any) -> User:
        n = next(_seq)
        fields: dict[str, Any] = {
            "email": f"{role}{n}@example.com",
            "password_hash": _hash(),
            "role": Role(role),
            "active": True,
        }
        fields.update(overrides)
        return _save(User(**fields))


class ClinicFactory:
    def __call__(self, with_member: bool = True, **overrides: Any) -> Clinic:
        n = next(_seq)
        fields: dict[str, Any] = {
            "name": f"Riverside Family Practice {n}",
            "zip_code": "02139",
            "lat": 42.3647,
            "lon": -71.1042,
            "city": "Cambridge",
            "state": "MA",
            "specialty": "Family medicine",
            "ehr_system": "epic",
            "approved": True,
        }
        fields.update(overrides)
        clinic = _save(Clinic(**fields))
        if with_member:
            UserFactory()(Role.CLINIC, clinic_id=clinic.id, email=f"clinic{n}@example.com")
        return clinic


class CandidateFactory:
    def __call__(self, user: User | None = None, **overrides: Any) -> Candidate:
        n = next(_seq)
        if user is None and overrides.pop("with_user", True):
            user = UserFactory()(Role.CANDIDATE, email=f"candidate{n}@example.com")
        fields: dict[str, Any] = {
            "user_id": user.id if user else None,
            "first_name": "Maria",
            "last_name": f"Lopez{n}",
            "zip_code": "02139",
            "lat": 42.3647,
            "lon": -71.1042,
            "commute_miles": 20.0,
            "desired_roles": ["receptionist"],
            "min_pay": Decimal("18.00"),
            "availability_mask": (1 << 21) - 1,
            "years_experience": 3.0,
            "typing_wpm": 55,
            "languages": ["english"],
            "ehr_systems": ["epic"],
            "summary": "Friendly front desk receptionist with scheduling and insurance experience.",
        }
        fields.update(overrides)
        return _save(Candidate(**fields))


class OpeningFactory:
    def __call__(self, clinic: Clinic | None = None, **overrides: Any) -> Opening:
        clinic = clinic or ClinicFactory()()
        n = next(_seq)
        fields: dict[str, Any] = {
            "clinic_id": clinic.id,
            "title": f"Medical Receptionist {n}",
            "role_type": "receptionist",
            "description": "Greet patients, answer phones, schedule visits, verify insurance.",
            "employment_type": EmploymentType.TEMP_TO_HIRE,
            "positions": 1,
            # Monday to Friday, mornings and afternoons.
            "shift_mask": sum(1 << (d * 3 + b) for d in range(5) for b in (0, 1)),
            "start_date": date.today() + timedelta(days=14),
            "pay_min": Decimal("18.00"),
            "pay_max": Decimal("24.00"),
            "status": OpeningStatus.OPEN,
            "ehr_systems": ["epic"],
            "languages": [],
        }
        fields.update(overrides)
        return _save(Opening(**fields))


class CredentialFactory:
    def __call__(self, candidate: Candidate, code: str = "CPC", **overrides: Any) -> Credential:
        ctype = db.session.execute(
            db.select(CredentialType).where(CredentialType.code == code)
        ).scalar_one_or_none() or _save(CredentialType(code=code, name=code, issuer=""))
        fields: dict[str, Any] = {
            "candidate_id": candidate.id,
            "credential_type_id": ctype.id,
            "issuer": "AAPC",
            "number": "12345",
            "issued_on": date.today() - timedelta(days=365),
            "expires_on": date.today() + timedelta(days=365),
            "verification_status": VerificationStatus.VERIFIED,
        }
        fields.update(overrides)
        return _save(Credential(**fields))


class ApplicationFactory:
    """An application in `stage` with the stage change that put it there, as the pipeline makes
    them."""

    def __call__(
        self, candidate: Candidate, opening: Opening, stage: str = "applied", **overrides: Any
    ) -> Application:
        fields: dict[str, Any] = {
            "candidate_id": candidate.id,
            "opening_id": opening.id,
            "source": "applied",
            "stage": stage,
        }
        fields.update(overrides)
        application = Application(**fields)
        db.session.add(application)
        db.session.flush()
        db.session.add(StageChange(application_id=application.id, to_stage=stage))
        db.session.commit()
        return application

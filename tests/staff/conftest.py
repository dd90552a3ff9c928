"""Staff-workspace fixtures: logged-in staff, an opening with ranked candidates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Candidate, Clinic, CredentialType, Opening, OpeningCredential, Role, User


@pytest.fixture
def staff(make_user: Any, login_as: Any) -> User:
    user = make_user(Role.STAFF)
    login_as(user)
    return user


@pytest.fixture
def admin(make_user: Any, login_as: Any) -> User:
    user = make_user(Role.ADMIN)
    login_as(user)
    return user


@dataclass
class Scene:
    clinic: Clinic
    opening: Opening
    near: Candidate  # applied, eligible
    other: Candidate  # did not apply, eligible
    far: Candidate  # did not apply, too far away to commute
    expired: Candidate  # holds the required CPC, valid today, expiring before the start


def require_credential(opening: Opening, code: str) -> None:
    ctype = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == code)
    ).scalar_one()
    db.session.add(OpeningCredential(opening_id=opening.id, credential_type_id=ctype.id))
    db.session.commit()


@pytest.fixture
def scene(
    taxonomy: Any,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_credential: Any,
    make_application: Any,
) -> Scene:
    from datetime import date, timedelta

    clinic = make_clinic()
    opening = make_opening(clinic=clinic, title="Front Desk Receptionist")
    require_credential(opening, "CPC")
    near = make_candidate(first_name="Nora", last_name="Near")
    other = make_candidate(first_name="Omar", last_name="Other")
    far = make_candidate(
        first_name="Fay", last_name="Faraway", lat=34.05, lon=-118.24, zip_code="90012"
    )
    expired = make_candidate(first_name="Ed", last_name="Expired")
    for person in (near, other, far):
        make_credential(person, "CPC")
    make_credential(
        expired,
        "CPC",
        issued_on=date.today() - timedelta(days=800),
        expires_on=opening.start_date - timedelta(days=3),
    )
    make_application(near, opening)
    return Scene(clinic, opening, near, other, far, expired)

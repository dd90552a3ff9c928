"""A submitted candidate and the people around an interview: the candidate, the clinic's
member, the recruiter who submitted them, and strangers of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    Clinic,
    Interview,
    OutboxMessage,
    Role,
    StageChange,
    User,
    utcnow,
)
from agency.services import interviews, mail
from agency.services.interviews import SlotInput
from tests import factories
from tests.conftest import login


@dataclass
class Scene:
    staff: User
    clinic: Clinic
    clinic_user: User
    candidate: Candidate
    application: Application
    other_clinic: Clinic
    other_candidate: Candidate

    @property
    def candidate_user(self) -> User:
        user = self.candidate.user
        assert user is not None
        return user


@pytest.fixture
def scene(app: Flask, taxonomy: Any) -> Scene:
    make_user, make_clinic = factories.UserFactory(), factories.ClinicFactory()
    make_candidate, make_opening = factories.CandidateFactory(), factories.OpeningFactory()
    staff = make_user(Role.STAFF)
    clinic = make_clinic(
        name="Harbor Family Practice", address_line="1 Main St", city="Cambridge", state="MA"
    )
    other_clinic = make_clinic(name="Elsewhere Pediatrics")
    opening = make_opening(clinic, title="Front Desk Receptionist")
    candidate = make_candidate(first_name="Rosa", last_name="Quintana")
    other_candidate = make_candidate(first_name="Otto", last_name="Stranger")
    application = factories.ApplicationFactory()(candidate, opening, stage="submitted")
    # The recruiter who submitted the candidate owns the interview on the agency's side.
    change = db.session.execute(
        db.select(StageChange).where(StageChange.application_id == application.id)
    ).scalar_one()
    change.actor_id = staff.id
    db.session.commit()
    return Scene(
        staff=staff,
        clinic=clinic,
        clinic_user=clinic.members[0],
        candidate=candidate,
        application=application,
        other_clinic=other_clinic,
        other_candidate=other_candidate,
    )


def slots(*hours_ahead: float, minutes: int = 30) -> list[SlotInput]:
    now = utcnow().replace(second=0, microsecond=0)
    return [SlotInput(now + timedelta(hours=h), minutes) for h in hours_ahead]


def propose(scene: Scene, *hours_ahead: float, mode: str = "in_person", **kw: Any) -> Interview:
    interview = interviews.propose(
        scene.application, scene.clinic_user, slots(*(hours_ahead or (48, 72))), mode, **kw
    )
    db.session.commit()
    return interview


def book_first(scene: Scene, interview: Interview) -> Interview:
    interviews.book(interview, interview.slots[0].id, scene.candidate_user)
    db.session.commit()
    return interview


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def mails(template: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == "email").order_by(OutboxMessage.id)
    ).scalars()
    return [m for m in rows if template is None or m.payload["template"] == template]


def rendered(message: OutboxMessage) -> Any:
    """The e-mail as its reader gets it (an EmailMessage)."""
    p = message.payload
    return mail.build(
        p["template"], p["to"], p["context"], message.dedupe_key, p.get("attachments")
    )


def text_of(message: OutboxMessage) -> str:
    msg = rendered(message)
    parts = [str(msg["Subject"])]
    for kind in ("plain", "html"):
        body = msg.get_body(preferencelist=(kind,))
        assert body is not None
        parts.append(body.get_content())
    return "\n".join(parts)


def at(hours: float) -> datetime:
    return utcnow() + timedelta(hours=hours)

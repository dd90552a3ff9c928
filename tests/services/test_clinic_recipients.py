"""Clinic viewers only look: an e-mail asking the clinic to act (review a submittal, mark a
shift's attendance, propose new interview times) goes to its managers; one that only informs
(a placement, a booked interview's invitation, a booked shift) goes to the whole team."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import EmploymentType, OutboxMessage, Role
from agency.services import interviews, pipeline, shifts
from tests.interviews.conftest import slots
from tests.shifts.conftest import ShiftScene, book, make_shift


@pytest.fixture
def team(app: Any, taxonomy: Any, make_user: Any, make_clinic: Any) -> Any:
    class Team:
        staff = make_user(Role.STAFF)
        clinic = make_clinic()
        manager = clinic.members[0]
        viewer = make_user(Role.CLINIC, clinic_id=clinic.id, clinic_role="viewer")

    return Team


def _recipients(template: str) -> set[str]:
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return {m.payload["to"] for m in rows.scalars() if m.payload["template"] == template}


def test_a_submittal_asks_the_managers_and_a_placement_informs_the_team(
    team: Any, make_opening: Any, make_candidate: Any
) -> None:
    opening = make_opening(team.clinic)
    application = pipeline.source(make_candidate(), opening, team.staff)
    pipeline.move(application, "submitted", team.staff)
    db.session.commit()
    assert _recipients("submitted_to_clinic") == {team.manager.email}
    for stage in ("interview", "offered", "placed"):
        pipeline.move(application, stage, team.staff)
    db.session.commit()
    assert _recipients("placement_confirmed_clinic") == {team.manager.email, team.viewer.email}


def test_a_booked_interview_reaches_the_whole_team(
    team: Any, make_opening: Any, make_candidate: Any
) -> None:
    candidate = make_candidate()
    application = pipeline.source(candidate, make_opening(team.clinic), team.staff)
    pipeline.move(application, "submitted", team.staff)
    interview = interviews.propose(application, team.manager, slots(48, 72), "phone")
    interviews.book(interview, interview.slots[0].id, candidate.user)
    db.session.commit()
    assert {team.manager.email, team.viewer.email} <= _recipients("interview_scheduled")


def test_attendance_is_asked_of_managers_and_a_viewers_link_is_refused(
    team: Any, make_opening: Any, make_candidate: Any
) -> None:
    opening = make_opening(team.clinic, employment_type=EmploymentType.PER_DIEM)
    worker = make_candidate()
    scene = ShiftScene(team.clinic, team.manager, opening, [worker], team.staff)
    booking = book(make_shift(scene, starts_in=-timedelta(hours=9)), worker)
    assert shifts.ask_attendance() == 1
    assert _recipients("shift_attendance") == {team.manager.email}
    # A link made for someone who is a viewer now (demoted after the e-mail) no longer works.
    token = shifts.attendance_token(booking, team.viewer)
    assert shifts.read_attendance_token(token) is None
    assert shifts.read_attendance_token(shifts.attendance_token(booking, team.manager))

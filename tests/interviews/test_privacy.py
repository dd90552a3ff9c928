"""A candidate's export carries their interviews as they read them (never the clinic's
feedback or cancel reason); erasure blanks the interviews' free text and the clinic's reasons,
and calls off an interview still booked (the clinic's calendar entry is canceled)."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask

from agency.extensions import db
from agency.models import Application, Interview, InterviewStatus, Stage, StageChange
from agency.services import interviews
from tests import factories
from tests.factories import PASSWORD
from tests.interviews.conftest import Scene, book_first, client_for, mails, propose, slots, utcnow

FEEDBACK = "Late and dismissive with the front-desk lead"
DETAILS = "Ask for Dana; Rosa parks behind the building"
CANCEL_REASON = "Our office manager is ill that week"


def _done_interview(scene: Scene) -> Interview:
    """An interview that took place, with the clinic's feedback, and the candidate declined."""
    interview = book_first(scene, propose(scene, details=DETAILS))
    later = utcnow() + timedelta(days=4)
    interviews.record_outcome(
        interview, scene.clinic_user, "attended", FEEDBACK, Stage.REJECTED, now=later
    )
    db.session.commit()
    return interview


def _second_application(scene: Scene) -> Application:
    opening = factories.OpeningFactory()(scene.clinic, title="Medical Secretary")
    return factories.ApplicationFactory()(scene.candidate, opening, stage="submitted")


def test_the_export_has_the_interviews_as_the_candidate_reads_them(
    app: Flask, scene: Scene
) -> None:
    done = _done_interview(scene)
    other = interviews.propose(
        _second_application(scene),
        scene.clinic_user,
        slots(48, 72),
        "video",
        video_url="https://meet.example.com/room-7",
    )
    interviews.cancel(other, scene.clinic_user, CANCEL_REASON)
    db.session.commit()
    client = client_for(app, scene.candidate_user)
    response = client.post("/me/export")
    assert response.status_code == 200
    data = json.loads(response.data)
    rows = {row["id"]: row for row in data["interviews"]}
    assert set(rows) == {done.id, other.id}
    first = rows[done.id]
    assert first["status"] == "completed" and first["opening_title"] == "Front Desk Receptionist"
    assert first["where"].startswith("Harbor Family Practice, 1 Main St")
    assert first["starts_at"] == done.starts_at.isoformat() and first["details"] == DETAILS
    assert first["outcome_words"] == interviews.OUTCOME_WORDS["attended"]
    assert [t["status"] for t in first["proposed_times"]] == ["booked", "released"]
    assert rows[other.id]["status"] == "cancelled"
    assert rows[other.id]["where"] == "https://meet.example.com/room-7"
    body = json.dumps(data)
    assert FEEDBACK not in body and CANCEL_REASON not in body
    assert "feedback" not in first and "cancel_reason" not in first


def test_erasure_blanks_the_interviews_and_cancels_a_booked_one_for_the_clinic(
    app: Flask, scene: Scene
) -> None:
    done = _done_interview(scene)
    booked = book_first(
        scene,
        interviews.propose(
            _second_application(scene),
            scene.clinic_user,
            slots(48, 72),
            "in_person",
            details=DETAILS,
        ),
    )
    db.session.commit()
    before = {m.id for m in mails()}
    client = client_for(app, scene.candidate_user)
    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    done, booked = db.session.get(Interview, done.id), db.session.get(Interview, booked.id)
    assert (done.feedback, done.details) == ("", "")
    assert booked.status == InterviewStatus.CANCELLED and booked.details == ""
    assert booked.cancel_reason == interviews.ERASED_REASON
    # The clinic's decline reason (its feedback, copied onto the stage change) is gone too.
    reasons = db.session.execute(
        db.select(StageChange.reason).where(StageChange.application_id == done.application_id)
    ).scalars()
    assert FEEDBACK not in list(reasons)
    # The clinic's calendar entry is canceled; nothing names the person.
    new = [m for m in mails() if m.id not in before]
    cancelled = [m for m in new if m.payload["template"] == "interview_cancelled"]
    assert scene.clinic_user.email in {m.payload["to"] for m in cancelled}
    assert all(m.payload.get("attachments") for m in cancelled)
    body = json.dumps([m.payload for m in new])
    assert "Rosa" not in body and "Quintana" not in body and DETAILS not in body
    # The clinic's page shows the interview canceled, under no name.
    page = client_for(app, scene.clinic_user).get(f"/clinic/interviews/{booked.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert interviews.ERASED_REASON in text and "Rosa" not in text and FEEDBACK not in text

"""The candidate declines the proposed times (none suits them): the clinic's managers and the
recruiter are told by e-mail with the note, the clinic's viewers are not, and new times can be
proposed; who may decline which interview; bad input and a booked interview change nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask

from agency.extensions import db
from agency.models import Interview, InterviewStatus, OutboxMessage, Role, SlotStatus, StageChange
from agency.services import interview_declines, interviews
from tests import factories
from tests.interviews.conftest import (
    Scene,
    book_first,
    client_for,
    mails,
    propose,
    slots,
    text_of,
)

NOTE = "Tuesdays after 3 pm suit me best."


def _viewer(scene: Scene) -> Any:
    return factories.UserFactory()(Role.CLINIC, clinic_id=scene.clinic.id, clinic_role="viewer")


def _reloaded(interview: Interview) -> Interview:
    db.session.expire_all()
    found = db.session.get(Interview, interview.id)
    assert found is not None
    return found


def test_the_candidate_declines_with_a_note_and_the_clinic_and_recruiter_hear(
    app: Flask, scene: Scene
) -> None:
    viewer = _viewer(scene)
    interview = propose(scene)
    client = client_for(app, scene.candidate_user)
    page = client.get("/me/interviews").get_data(as_text=True)
    assert "None of these times suits me" in page
    response = client.post(f"/me/interviews/{interview.id}/decline", data={"note": NOTE})
    assert response.status_code == 302
    found = _reloaded(interview)
    assert (found.status, found.decline_note) == (InterviewStatus.DECLINED, NOTE)
    assert {s.status for s in found.slots} == {SlotStatus.RELEASED}
    page = client.get("/me/interviews").get_data(as_text=True)
    assert "You declined the proposed times" in page and NOTE in page
    # The e-mails: the clinic's manager and the recruiter, with the note and where to propose.
    declined = mails("interview_declined")
    assert {m.payload["to"] for m in declined} == {scene.clinic_user.email, scene.staff.email}
    assert viewer.email not in {m.payload["to"] for m in mails()}
    by_to = {m.payload["to"]: text_of(m) for m in declined}
    clinic_text = by_to[scene.clinic_user.email]
    assert NOTE in clinic_text and "Rosa Q." in clinic_text and "Quintana" not in clinic_text
    assert f"/clinic/applications/{scene.application.id}/interview" in clinic_text
    assert f"/staff/applications/{scene.application.id}/interview" in by_to[scene.staff.email]
    # The clinic reads the note on the interview and may propose new times.
    clinic = client_for(app, scene.clinic_user)
    detail = clinic.get(f"/clinic/interviews/{interview.id}").get_data(as_text=True)
    assert "Declined by the candidate" in detail and NOTE in detail
    opening = clinic.get(f"/clinic/openings/{scene.application.opening_id}").get_data(as_text=True)
    assert "None of the proposed times suits the candidate" in opening
    assert f"/clinic/applications/{scene.application.id}/interview" in opening
    again = interviews.propose(found.application, scene.staff, slots(96, 120), "phone")
    db.session.commit()
    assert again.status == InterviewStatus.PROPOSED


def test_declining_without_a_note_is_fine_and_too_long_a_note_is_kept_with_the_error(
    app: Flask, scene: Scene
) -> None:
    interview = propose(scene)
    client = client_for(app, scene.candidate_user)
    long_note = "x" * 501
    response = client.post(f"/me/interviews/{interview.id}/decline", data={"note": long_note})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and long_note in page
    assert "500 characters" in page
    assert _reloaded(interview).status == InterviewStatus.PROPOSED
    assert mails("interview_declined") == []
    response = client.post(f"/me/interviews/{interview.id}/decline", data={})
    assert response.status_code == 302
    assert _reloaded(interview).status == InterviewStatus.DECLINED


def test_a_booked_or_already_declined_interview_cannot_be_declined(
    app: Flask, scene: Scene
) -> None:
    interview = book_first(scene, propose(scene))
    client = client_for(app, scene.candidate_user)
    response = client.post(f"/me/interviews/{interview.id}/decline", follow_redirects=True)
    assert "no longer open" in response.get_data(as_text=True)
    assert _reloaded(interview).status == InterviewStatus.SCHEDULED
    assert mails("interview_declined") == []


def test_who_may_decline(app: Flask, scene: Scene) -> None:
    interview = propose(scene)
    url = f"/me/interviews/{interview.id}/decline"
    assert app.test_client().post(url).status_code == 302  # to the login page
    for user in (scene.clinic_user, scene.staff):
        assert client_for(app, user).post(url).status_code == 403
    stranger = scene.other_candidate
    stranger_user = stranger.user
    assert stranger_user is not None
    other = client_for(app, stranger_user)
    assert other.post(url, data={"note": "mine?"}).status_code == 404
    assert other.post("/me/interviews/99999999999999/decline").status_code == 404
    assert other.get(url).status_code == 405
    assert _reloaded(interview).status == InterviewStatus.PROPOSED


def test_with_no_recruiter_on_record_every_staff_member_hears(app: Flask, scene: Scene) -> None:
    db.session.execute(
        db.update(StageChange)
        .where(StageChange.application_id == scene.application.id)
        .values(actor_id=None)
    )
    db.session.commit()
    interview = propose(scene)  # proposed by the clinic: no recruiter on the interview either
    interview_declines.decline(interview, scene.candidate_user, "")
    db.session.commit()
    assert {m.payload["to"] for m in mails("interview_declined")} == {scene.clinic_user.email}
    staff_rows = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == "notify_staff")
    ).scalars()
    events = [m.payload for m in staff_rows if m.payload["event"] == "interview_declined"]
    assert events == [
        {
            "event": "interview_declined",
            "application_id": scene.application.id,
            "interview_id": interview.id,
        }
    ]

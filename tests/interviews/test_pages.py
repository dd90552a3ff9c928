"""The interview pages: proposing times (errors next to the field, input kept), booking from
/me and from the e-mail's signed link, the outcome form, and who may reach which interview."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from agency.extensions import db
from agency.models import Interview, InterviewStatus, Stage, utcnow
from agency.services import interviews
from tests.interviews.conftest import Scene, book_first, client_for, mails, propose


def _local_day(hours: float) -> str:
    return (
        (utcnow() + timedelta(hours=hours))
        .astimezone(ZoneInfo("America/New_York"))
        .strftime("%Y-%m-%d")
    )


def _form(**rows: Any) -> dict[str, str]:
    data = {"mode": "in_person", "video_url": "", "details": "Ask for Dana at the front desk"}
    data.update(rows)
    return data


def _interview() -> Interview:
    return db.session.execute(db.select(Interview)).scalar_one()


def test_the_clinic_proposes_times_from_its_portal(app: Flask, scene: Scene) -> None:
    client = client_for(app, scene.clinic_user)
    opening_page = client.get(f"/clinic/openings/{scene.application.opening_id}")
    propose_url = f"/clinic/applications/{scene.application.id}/interview"
    assert propose_url in opening_page.get_data(as_text=True)
    assert client.get(propose_url).status_code == 200
    data = _form(
        **{
            "slots-0-day": _local_day(48),
            "slots-0-start": "10:00",
            "slots-0-length": "30",
            "slots-1-day": _local_day(72),
            "slots-1-start": "14:30",
            "slots-1-length": "45",
        }
    )
    response = client.post(propose_url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    interview = _interview()
    assert [s.duration_minutes for s in interview.slots] == [30, 45]
    assert (
        interview.slots[0].starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
        == "10:00"
    )
    assert interview.details == "Ask for Dana at the front desk"
    db.session.refresh(scene.application)
    assert scene.application.stage == Stage.INTERVIEW
    assert [m.payload["template"] for m in mails()] == ["interview_slots"]


def test_errors_show_next_to_the_field_and_keep_the_input(app: Flask, scene: Scene) -> None:
    client = client_for(app, scene.clinic_user)
    url = f"/clinic/applications/{scene.application.id}/interview"
    data = _form(
        mode="video",
        video_url="http://not-secure.example.com/room",
        **{
            "slots-0-day": _local_day(48),
            "slots-0-start": "",
            "slots-1-day": "2020-01-01",
            "slots-1-start": "09:00",
            "slots-2-day": "not a date",
            "slots-2-start": "10:00",
        },
    )
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    def error_after(field_id: str) -> str:
        found = re.search(
            rf'id="{field_id}"[^>]*>(?:</textarea>)?\s*<p class="field-error"[^>]*>([^<]+)<', page
        )
        assert found, f"no error next to {field_id}"
        return found.group(1)

    assert "https://" in error_after("video_url")
    assert error_after("slots-0-start") == "Enter the start time."
    assert error_after("slots-1-day") == "Choose a time in the future."
    assert "date" in error_after("slots-2-day").lower()
    assert 'value="http://not-secure.example.com/room"' in page  # kept as typed
    assert "Ask for Dana at the front desk" in page
    assert db.session.execute(db.select(Interview)).first() is None


def test_a_single_time_is_not_enough(app: Flask, scene: Scene) -> None:
    client = client_for(app, scene.clinic_user)
    url = f"/clinic/applications/{scene.application.id}/interview"
    data = _form(**{"slots-0-day": _local_day(48), "slots-0-start": "10:00"})
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Propose at least 2 times." in page
    assert db.session.execute(db.select(Interview)).first() is None


def test_the_candidate_books_from_their_page(app: Flask, scene: Scene) -> None:
    interview = propose(scene, 48, 72)
    client = client_for(app, scene.candidate_user)
    page = client.get("/me/interviews").get_data(as_text=True)
    assert "Front Desk Receptionist" in page and page.count('name="slot_id"') == 2
    second = interview.slots[1]
    response = client.post(f"/me/interviews/{interview.id}/pick", data={"slot_id": second.id})
    assert response.status_code == 302
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.starts_at == second.starts_at
    page = client.get("/me/interviews").get_data(as_text=True)
    assert "Booked" in page and "Ask for" not in page
    # The released time cannot be booked afterwards.
    first = interview.slots[0]
    client.post(f"/me/interviews/{interview.id}/pick", data={"slot_id": first.id})
    db.session.refresh(interview)
    assert interview.starts_at == second.starts_at
    # Garbage ids are refused, never a crash.
    for bad in ("", "abc", "99999999999999999999", "-1"):
        assert (
            client.post(f"/me/interviews/{interview.id}/pick", data={"slot_id": bad}).status_code
            == 302
        )


def test_the_signed_link_asks_first_then_books(app: Flask, scene: Scene) -> None:
    interview = propose(scene, 48, 72)
    links = [s["url"] for s in mails("interview_slots")[0].payload["context"]["slots"]]
    paths = [re.sub(r"^https?://[^/]+", "", u) for u in links]
    anonymous = app.test_client()
    page = anonymous.get(paths[0])
    assert page.status_code == 200 and "Book this time" in page.get_data(as_text=True)
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.PROPOSED  # a mail scanner's GET books nothing
    booked = anonymous.post(paths[0])
    assert booked.status_code == 200 and "is booked" in booked.get_data(as_text=True)
    again = anonymous.post(paths[1])
    assert again.status_code == 409
    assert "no longer available" in again.get_data(as_text=True)
    db.session.refresh(interview)
    assert interview.starts_at == interview.slots[0].starts_at
    assert anonymous.get(paths[0][:-3] + "abc").status_code == 404
    assert anonymous.get("/interviews/choose/not-a-token").status_code == 404


def test_the_clinic_records_the_outcome_and_the_candidate_reads_standard_words(
    app: Flask, scene: Scene
) -> None:
    interview = book_first(scene, propose(scene, 48, 72))
    # The interview took place: move its time into the past as the clock would.
    interview.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client = client_for(app, scene.clinic_user)
    url = f"/clinic/interviews/{interview.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Record the outcome" in page and "Rosa Q." in page and "Quintana" not in page
    missing = client.post(f"{url}/outcome", data={"feedback": "kept text"})
    assert missing.status_code == 200
    assert "Choose whether the candidate attended." in missing.get_data(as_text=True)
    assert "kept text" in missing.get_data(as_text=True)
    feedback = "Warm with patients but late by ten minutes"
    done = client.post(
        f"{url}/outcome",
        data={"outcome": "attended", "next_stage": "offered", "feedback": feedback},
    )
    assert done.status_code == 302
    db.session.refresh(scene.application)
    assert scene.application.stage == Stage.OFFERED
    assert feedback in client.get(url).get_data(as_text=True)
    staff_page = client_for(app, scene.staff).get(f"/staff/interviews/{interview.id}")
    assert feedback in staff_page.get_data(as_text=True)
    candidate_page = client_for(app, scene.candidate_user).get("/me/interviews")
    text = candidate_page.get_data(as_text=True)
    assert interviews.OUTCOME_WORDS["attended"] in text and feedback not in text


def test_reschedule_and_cancel_forms(app: Flask, scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 48, 72))
    client = client_for(app, scene.clinic_user)
    url = f"/clinic/interviews/{interview.id}"
    bad = client.post(f"{url}/reschedule", data={"starts_on": "", "start": "10:00"})
    assert bad.status_code == 200 and "Enter the date." in bad.get_data(as_text=True)
    assert "Not a valid date value." not in bad.get_data(as_text=True)  # said once
    moved = client.post(
        f"{url}/reschedule", data={"starts_on": _local_day(96), "start": "11:00", "duration": "60"}
    )
    assert moved.status_code == 302
    db.session.refresh(interview)
    assert interview.sequence == 1 and interview.duration_minutes == 60
    no_reason = client.post(f"{url}/cancel", data={"reason": ""})
    assert "Please give a reason." in no_reason.get_data(as_text=True)
    assert client.post(f"{url}/cancel", data={"reason": "Doctor ill"}).status_code == 302
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.CANCELLED and interview.sequence == 2


def test_staff_propose_on_the_clinics_behalf(app: Flask, scene: Scene) -> None:
    client = client_for(app, scene.staff)
    page = client.get(f"/staff/applications/{scene.application.id}").get_data(as_text=True)
    assert f"/staff/applications/{scene.application.id}/interview" in page
    data = _form(
        mode="phone",
        **{
            "slots-0-day": _local_day(48),
            "slots-0-start": "09:00",
            "slots-1-day": _local_day(72),
            "slots-1-start": "09:00",
        },
    )
    response = client.post(f"/staff/applications/{scene.application.id}/interview", data=data)
    assert response.status_code == 302
    interview = _interview()
    assert interview.proposed_by_id == scene.staff.id and interview.mode == "phone"
    listing = client.get("/staff/interviews").get_data(as_text=True)
    assert f"/staff/interviews/{interview.id}" in listing


def test_who_may_reach_an_interview(app: Flask, scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 48, 72))
    other_clinic = client_for(app, scene.other_clinic.members[0])
    stranger = client_for(app, scene.other_candidate.user)
    candidate = client_for(app, scene.candidate_user)
    anonymous = app.test_client()
    before = (interview.status, interview.sequence)
    for path in (
        f"/clinic/interviews/{interview.id}",
        f"/clinic/applications/{scene.application.id}/interview",
    ):
        assert other_clinic.get(path).status_code == 404
        assert candidate.get(path).status_code == 403
        assert anonymous.get(path).status_code == 302
    for action in ("reschedule", "cancel", "outcome"):
        url = f"/clinic/interviews/{interview.id}/{action}"
        assert other_clinic.post(url, data={"reason": "x"}).status_code == 404
        assert candidate.post(url, data={"reason": "x"}).status_code == 403
    assert (
        stranger.post(
            f"/me/interviews/{interview.id}/pick", data={"slot_id": interview.slots[1].id}
        ).status_code
        == 404
    )
    assert "Front Desk" not in stranger.get("/me/interviews").get_data(as_text=True)
    assert candidate.get(f"/staff/interviews/{interview.id}").status_code == 403
    db.session.refresh(interview)
    assert (interview.status, interview.sequence) == before


def test_the_candidate_dashboard_asks_for_a_choice(app: Flask, scene: Scene) -> None:
    propose(scene, 48, 72)
    page = client_for(app, scene.candidate_user).get("/me").get_data(as_text=True)
    assert "Choose a time" in page and "/me/interviews" in page

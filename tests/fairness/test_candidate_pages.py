"""The candidate's side: self-identification given, changed and removed; the notice of the
automated tool; a human review asked for, seen in the staff queue, and its state seen back."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import HumanReviewRequest, Role
from agency.models.self_id import SelfIdentification
from agency.services import self_id

ANSWERS = {
    "sex": "female",
    "race_ethnicity": "hispanic_latino",
    "age_band": "40_54",
    "disability": "declined",
    "veteran_status": "not_protected",
}


@pytest.fixture
def candidate(make_candidate: Any) -> Any:
    return make_candidate()


def _checked(html: str, name: str, value: str) -> bool:
    import re

    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', html)
    return bool(tag and "checked" in tag.group(0))


def test_self_identification_is_given_changed_and_removed(
    client: FlaskClient, login_as: Any, candidate: Any
) -> None:
    login_as(candidate.user)
    page = client.get("/me/self-identification").get_data(as_text=True)
    # Nothing given yet: every question starts at "prefer not to say", and nothing is stored.
    assert _checked(page, "sex", "declined") and "Prefer not to say" in page
    assert self_id.get(candidate.id) is None

    assert client.post("/me/self-identification", data=ANSWERS).status_code == 302
    db.session.expire_all()
    assert self_id.get(candidate.id).answers() == ANSWERS
    page = client.get("/me/self-identification").get_data(as_text=True)
    assert _checked(page, "race_ethnicity", "hispanic_latino")
    assert _checked(page, "disability", "declined")

    client.post("/me/self-identification", data={**ANSWERS, "sex": "declined"})
    db.session.expire_all()
    assert self_id.get(candidate.id).sex == "declined"

    assert client.post("/me/self-identification/remove").status_code == 302
    db.session.expire_all()
    assert self_id.get(candidate.id) is None


def test_an_answer_not_on_the_list_is_refused_next_to_its_question(
    client: FlaskClient, login_as: Any, candidate: Any
) -> None:
    login_as(candidate.user)
    response = client.post("/me/self-identification", data={**ANSWERS, "sex": "robot"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Not a valid choice" in html
    # What was typed stays: the other answers are still checked.
    assert _checked(html, "race_ethnicity", "hispanic_latino")
    assert db.session.query(SelfIdentification).count() == 0


def test_staff_never_see_a_candidates_answers(
    client: FlaskClient, login_as: Any, candidate: Any, make_user: Any
) -> None:
    self_id.save(candidate.id, ANSWERS)
    db.session.commit()
    login_as(make_user(Role.STAFF))
    page = client.get(f"/staff/candidates/{candidate.id}").get_data(as_text=True)
    assert candidate.last_name in page
    for words in ("Hispanic or Latino", "40 to 54", "protected veteran"):
        assert words not in page


def test_the_automated_tool_is_announced_to_everybody(client: FlaskClient) -> None:
    page = client.get("/automated-ranking")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "automated tool" in html and "human review" in html
    assert "What it never looks at" in html


def test_a_human_review_goes_to_the_staff_queue_and_its_state_comes_back(
    client: FlaskClient, login_as: Any, candidate: Any, make_user: Any
) -> None:
    login_as(candidate.user)
    page = client.get("/me/human-review").get_data(as_text=True)
    assert "What the tool looks at" in page
    response = client.post("/me/human-review", data={"message": "I know Epic well."})
    assert response.status_code == 302
    page = client.get("/me/human-review").get_data(as_text=True)
    assert "Waiting for a coordinator" in page and "I know Epic well." in page
    # One open request at a time.
    again = client.post("/me/human-review", data={"message": "again"})
    assert "You already have a request waiting" in again.get_data(as_text=True)
    assert db.session.query(HumanReviewRequest).count() == 1
    client.post("/logout")

    staff = make_user(Role.STAFF)
    login_as(staff)
    queue = client.get("/staff/human-reviews").get_data(as_text=True)
    assert candidate.full_name in queue and "I know Epic well." in queue
    review = db.session.query(HumanReviewRequest).one()
    prefix = f"r{review.id}-"
    move = f"/staff/human-reviews/{review.id}/move"
    assert client.post(move, data={prefix + "status": "in_review"}).status_code == 302
    # Closing needs an answer for the candidate; the error shows next to the field.
    refused = client.post(move, data={prefix + "status": "done"})
    assert "Tell the candidate what the review found" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HumanReviewRequest, review.id).status == "in_review"
    reply = "A coordinator read your profile; we sent you to two openings."
    done = client.post(move, data={prefix + "status": "done", prefix + "reply": reply})
    assert done.status_code == 302
    client.post("/logout")

    login_as(candidate.user)
    page = client.get("/me/human-review").get_data(as_text=True)
    assert "Reviewed" in page and reply in page
    # Answered: a new request may be made.
    assert 'name="message"' in page


def test_a_candidate_sees_only_their_own_requests(
    client: FlaskClient, login_as: Any, candidate: Any, make_candidate: Any
) -> None:
    other = make_candidate()
    db.session.add(HumanReviewRequest(candidate_id=other.id, message="someone else's words"))
    db.session.commit()
    login_as(candidate.user)
    assert "someone else&#39;s words" not in client.get("/me/human-review").get_data(as_text=True)


def test_the_answers_and_requests_are_exported_and_erased_with_the_account(
    client: FlaskClient, login_as: Any, candidate: Any
) -> None:
    import json

    from agency.models import Candidate
    from tests.factories import PASSWORD

    login_as(candidate.user)
    client.post("/me/self-identification", data=ANSWERS)
    client.post("/me/human-review", data={"message": "Please read my resume yourselves."})
    data = json.loads(client.post("/me/export").data)
    assert data["self_identification"]["race_ethnicity"] == "hispanic_latino"
    assert data["human_review_requests"][0]["message"] == "Please read my resume yourselves."
    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).status == "erased"
    assert self_id.get(candidate.id) is None
    assert db.session.query(HumanReviewRequest).count() == 0

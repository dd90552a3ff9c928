"""Batch fill: pick openings, get the optimal assignment, accept rows into 'submitted'."""

from __future__ import annotations

import re
from datetime import date, timedelta

from agency.extensions import db
from agency.models import Application, CandidateSkill, Skill


def test_batch_pick_defaults_to_next_week(client, staff, make_opening) -> None:
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    make_opening(title="Next Week Desk", start_date=monday + timedelta(days=1))
    make_opening(title="Far Future Desk", start_date=monday + timedelta(days=60))
    html = client.get("/staff/batch").get_data(as_text=True)
    assert "Next Week Desk" in html and "Far Future Desk" not in html
    bad = client.get("/staff/batch?start_from=2030-01-10&start_to=2030-01-01")
    # Re-shown with the error next to the field (the one status every form error answers).
    assert bad.status_code == 200
    assert "The end of the range is before its start." in bad.get_data(as_text=True)
    assert client.get("/staff/batch?start_from=notadate").status_code == 200


def _front_desk_skills(*people) -> None:
    """Working front-desk skills: the batch proposes only candidates who score 50 ("stretch")
    or more, and a profile without skills is not a fit (docs/scores.md)."""
    front = db.session.execute(db.select(Skill).where(Skill.side != "back")).scalars().all()
    for person in people:
        for skill in front:
            db.session.add(CandidateSkill(candidate_id=person.id, skill_id=skill.id, level=3))
    db.session.commit()


def test_proposal_and_accept_submit_rows(client, staff, scene, make_opening) -> None:
    _front_desk_skills(scene.near, scene.other)
    second = make_opening(title="Second Desk")
    response = client.get(
        "/staff/batch/proposal", query_string={"opening": [scene.opening.id, second.id]}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Front Desk Receptionist" in html and "Second Desk" in html
    assert "— proposed" in html
    # Clinics and candidates hear of every accepted row: the button asks first.
    assert re.search(
        r'<button[^>]*data-confirm="Submit each accepted candidate[^"]*"[^>]*>'
        r"Submit the accepted rows</button>",
        html,
    )
    # Accept row 1 of each opening with chosen candidates (one changed by hand).
    data = {
        "accept": [f"{scene.opening.id}-1", f"{second.id}-1"],
        f"opening-{scene.opening.id}-1": scene.opening.id,
        f"candidate-{scene.opening.id}-1": scene.other.id,
        f"opening-{second.id}-1": second.id,
        f"candidate-{second.id}-1": scene.near.id,
    }
    response = client.post("/staff/batch/accept", data=data)
    assert response.status_code == 302
    apps = db.session.execute(db.select(Application)).scalars().all()
    stages = {(a.opening_id, a.candidate_id): a.stage for a in apps}
    assert stages[(scene.opening.id, scene.other.id)] == "submitted"
    assert stages[(second.id, scene.near.id)] == "submitted"


def test_accept_refusals(client, staff, scene) -> None:
    key = f"{scene.opening.id}-1"
    twice = {
        "accept": [key, "x-2"],
        f"opening-{key}": scene.opening.id,
        f"candidate-{key}": scene.other.id,
        "opening-x-2": scene.opening.id,
        "candidate-x-2": scene.other.id,
    }
    html = client.post("/staff/batch/accept", data=twice, follow_redirects=True).get_data(
        as_text=True
    )
    assert "chosen for more than one row" in html
    none = client.post("/staff/batch/accept", data={}, follow_redirects=True)
    assert "Tick at least one row" in none.get_data(as_text=True)
    junk = {"accept": ["k"], "opening-k": "abc", "candidate-k": "99999999999999999999"}
    assert client.post("/staff/batch/accept", data=junk).status_code == 302
    assert client.get("/staff/batch/proposal").status_code == 302
    assert client.get("/staff/batch/proposal?opening=abc").status_code == 302

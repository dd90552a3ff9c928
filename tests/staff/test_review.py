"""Opening review: the ranked list with its reasons, filters, blind review and the actions."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import Application, AuditEvent, Decision, Note, OutboxMessage, StageChange


def _page(client: Any, scene: Any, **args: Any) -> str:
    response = client.get(f"/staff/openings/{scene.opening.id}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _apps(scene: Any) -> dict[int, Application]:
    rows = db.session.execute(
        db.select(Application).where(Application.opening_id == scene.opening.id)
    ).scalars()
    return {a.candidate_id: a for a in rows}


def test_review_lists_applied_and_unapplied_candidates_with_reasons(client, staff, scene) -> None:
    html = _page(client, scene)
    for person in (scene.near, scene.other, scene.far, scene.expired):
        assert person.full_name in html
    assert "Breakdown of" in html and "<meter" in html
    assert "Strengths" in html and "Gaps" in html
    # The ineligible say why, in words.
    assert "not eligible" in html
    assert "CPC expired" in html
    assert "beyond the 20-mile commute" in html
    assert "not in pipeline" in html  # Omar did not apply but is ranked


def test_filters_eligible_applied_distance_stage(client, staff, scene) -> None:
    html = _page(client, scene, eligible="y")
    assert scene.other.full_name in html and scene.expired.full_name not in html
    html = _page(client, scene, applied="y")
    assert scene.near.full_name in html and scene.other.full_name not in html
    html = _page(client, scene, miles="10")
    assert scene.far.full_name not in html and scene.near.full_name in html
    html = _page(client, scene, stage="none")
    assert scene.near.full_name not in html and scene.other.full_name in html
    html = _page(client, scene, stage="applied")
    assert scene.near.full_name in html and scene.other.full_name not in html


def test_bad_filters_do_not_break_the_page(client, staff, scene) -> None:
    for args in ({"miles": "lots"}, {"stage": "nonsense"}, {"k": "99999999999999"}, {"k": "-4"}):
        response = client.get(f"/staff/openings/{scene.opening.id}", query_string=args)
        assert response.status_code == 200


def test_blind_review_hides_names(client, staff, scene) -> None:
    html = _page(client, scene, blind="y")
    assert scene.near.full_name not in html
    assert scene.near.last_name not in html
    assert f"Candidate #{scene.near.id}" in html
    assert scene.near.user.email not in html


def test_unknown_opening_is_404(client, staff) -> None:
    assert client.get("/staff/openings/999999").status_code == 404
    assert client.get("/staff/openings/99999999999999999999").status_code == 404
    assert client.post("/staff/openings/999999/act", data={}).status_code == 404


def test_bulk_shortlist_sources_unapplied_and_records_decisions(client, staff, scene) -> None:
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id, scene.other.id], "action": "shortlist"},
    )
    assert response.status_code == 302
    apps = _apps(scene)
    assert apps[scene.near.id].stage == "shortlisted"
    assert apps[scene.other.id].stage == "shortlisted"
    assert apps[scene.other.id].source == "sourced"
    decisions = db.session.execute(db.select(Decision)).scalars().all()
    assert {d.candidate_id for d in decisions} == {scene.near.id, scene.other.id}
    assert all(d.positive and d.actor_id == staff.id for d in decisions)
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("stage_changed") == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 candidates shortlisted." in page


def test_single_submit_notifies_the_clinic_in_the_same_transaction(client, staff, scene) -> None:
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"single": f"{scene.other.id}:submit", "candidate_ids": [scene.near.id]},
    )
    assert response.status_code == 302
    apps = _apps(scene)
    assert apps[scene.other.id].stage == "submitted"
    assert apps[scene.near.id].stage == "applied"  # the ticked box was not acted on
    keys = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert any(k.startswith("submitted:") for k in keys)
    history = (
        db.session.execute(
            db.select(StageChange.to_stage)
            .where(StageChange.application_id == apps[scene.other.id].id)
            .order_by(StageChange.id)
        )
        .scalars()
        .all()
    )
    assert history == ["sourced", "submitted"]


def test_reject_needs_a_reason(client, staff, scene) -> None:
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id], "action": "reject"},
    )
    assert response.status_code == 400
    assert "Please give a reason" in response.get_data(as_text=True)
    assert _apps(scene)[scene.near.id].stage == "applied"
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id], "action": "reject", "reason": "No weekends"},
    )
    assert response.status_code == 302
    app = _apps(scene)[scene.near.id]
    assert app.stage == "rejected" and app.stage_reason == "No weekends"
    assert db.session.execute(db.select(Decision.positive)).scalar_one() is False


def test_not_allowed_moves_are_skipped_with_the_reason(client, staff, scene) -> None:
    client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id], "action": "submit"},
    )
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id, scene.other.id], "action": "shortlist"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Cannot move from submitted to shortlisted" in html
    assert "1 candidate shortlisted." in html
    assert _apps(scene)[scene.near.id].stage == "submitted"


def test_add_note_in_bulk(client, staff, scene) -> None:
    response = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={
            "candidate_ids": [scene.near.id, scene.other.id],
            "action": "note",
            "note": "Call back Tuesday",
        },
    )
    assert response.status_code == 302
    notes = db.session.execute(db.select(Note)).scalars().all()
    assert len(notes) == 2 and all(n.opening_id == scene.opening.id for n in notes)
    assert "Call back Tuesday" in _page(client, scene)
    empty = client.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"candidate_ids": [scene.near.id], "action": "note"},
    )
    assert empty.status_code == 400


def test_bad_action_input_is_refused_not_crashed(client, staff, scene) -> None:
    url = f"/staff/openings/{scene.opening.id}/act"
    assert client.post(url, data={"action": "shortlist"}).status_code == 400
    assert client.post(url, data={"candidate_ids": ["x"], "action": "shortlist"}).status_code == 400
    assert (
        client.post(url, data={"candidate_ids": [scene.near.id], "action": "hire"}).status_code
        == 400
    )
    assert client.post(url, data={"single": f"{scene.near.id}:hire"}).status_code == 400
    assert (
        client.post(url, data={"candidate_ids": [987654], "action": "shortlist"}).status_code == 404
    )
    assert _apps(scene)[scene.near.id].stage == "applied"

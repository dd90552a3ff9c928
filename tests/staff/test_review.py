"""Opening review: the ranked list with its reasons, filters, blind review and the actions."""

from __future__ import annotations

import re
from typing import Any

import pytest

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


def test_review_proposes_the_eligible_and_every_applicant(client, staff, scene) -> None:
    html = _page(client, scene)
    assert scene.near.full_name in html  # applied
    assert scene.other.full_name in html  # eligible, proposed by the engine
    # The ineligible who did not apply are near misses, shown on request only.
    assert scene.far.full_name not in html and scene.expired.full_name not in html
    assert "Show near misses" in html
    assert "EHR: Epic" in html  # the system's name, not its code


def test_an_ineligible_applicant_is_listed_with_the_reason(
    client, staff, scene, make_application
) -> None:
    make_application(scene.far, scene.opening)
    html = _page(client, scene)
    assert scene.far.full_name in html
    assert "not eligible" in html and "beyond the 20-mile commute" in html
    assert scene.expired.full_name not in html  # did not apply: a near miss


def test_review_lists_applied_and_unapplied_candidates_with_reasons(client, staff, scene) -> None:
    html = _page(client, scene, near_misses="y")
    for person in (scene.near, scene.other, scene.far, scene.expired):
        assert person.full_name in html
    assert "Breakdown of" in html and "<meter" in html
    # The ineligible say why, in words.
    assert "not eligible" in html
    assert "CPC expires" in html and "before the" in html
    assert "beyond the 20-mile commute" in html
    assert "not in pipeline" in html  # Omar did not apply but is ranked


def _breakdown(client: Any, scene: Any, candidate: Any, **args: Any) -> Any:
    return client.get(
        f"/staff/openings/{scene.opening.id}/candidates/{candidate.id}/breakdown",
        query_string=args,
    )


def test_a_rows_breakdown_is_fetched_on_demand_and_adds_up_to_its_score(
    client, staff, scene
) -> None:
    html = _page(client, scene)
    # The list carries where each row's breakdown comes from, not fifty breakdowns.
    url = f"/staff/openings/{scene.opening.id}/candidates/{scene.other.id}/breakdown"
    assert f'data-fragment="{url}?partial=1"' in html
    assert f'href="{url}"' in html  # the no-script fallback
    assert "Strengths" not in html
    shown = re.search(rf'data-candidate="{scene.other.id}".*?Breakdown of (\d+)', html, re.DOTALL)
    assert shown is not None

    fragment = _breakdown(client, scene, scene.other, partial="1")
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Strengths" in body and "Gaps" in body
    points = [float(p) for p in re.findall(r'class="points">\+([\d.]+)<', body)]
    assert len(points) >= 5
    assert round(sum(points)) == pytest.approx(int(shown.group(1)), abs=1)

    page = _breakdown(client, scene, scene.other)
    assert page.status_code == 200
    full = page.get_data(as_text=True)
    assert "<html" in full and scene.other.full_name in full and "Strengths" in full


def test_breakdown_of_an_ineligible_candidate_says_why(client, staff, scene) -> None:
    body = _breakdown(client, scene, scene.expired, partial="1").get_data(as_text=True)
    assert "Not eligible" in body and "CPC expires" in body


def test_breakdown_in_blind_review_hides_the_name(client, staff, scene) -> None:
    html = _page(client, scene, blind="y")
    assert f"/candidates/{scene.near.id}/breakdown?blind=y&amp;partial=1" in html
    page = _breakdown(client, scene, scene.near, blind="y").get_data(as_text=True)
    assert f"Candidate #{scene.near.id}" in page
    assert scene.near.last_name not in page and scene.near.user.email not in page


def test_breakdown_of_a_candidate_outside_the_pool_is_scored_directly(client, staff, scene) -> None:
    scene.other.status = "inactive"
    db.session.commit()
    page = _breakdown(client, scene, scene.other)
    assert page.status_code == 200 and "Strengths" in page.get_data(as_text=True)


def test_breakdown_of_unknown_objects_is_404(client, staff, scene) -> None:
    opening = scene.opening.id
    assert client.get(f"/staff/openings/{opening}/candidates/999999/breakdown").status_code == 404
    huge = 99999999999999999999
    assert client.get(f"/staff/openings/{opening}/candidates/{huge}/breakdown").status_code == 404
    assert (
        client.get(f"/staff/openings/999999/candidates/{scene.near.id}/breakdown").status_code
        == 404
    )


def test_the_ranking_is_shown_a_page_at_a_time(
    client, staff, scene, make_candidate, make_credential
) -> None:
    for i in range(30):
        make_credential(make_candidate(first_name=f"Extra{i}", last_name="Person"), "CPC")
    html = _page(client, scene, near_misses="y")
    assert len(re.findall(r"<tr class=\"[^\"]*\" data-candidate=", html)) == 25
    assert "Show the next 25 of the ranking" in html
    more = re.search(r'href="([^"]*k=50[^"]*)"', html)
    assert more is not None
    html = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(re.findall(r"<tr class=\"[^\"]*\" data-candidate=", html)) == 34
    assert "Show the next" not in html


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
    assert response.status_code == 200
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
    assert empty.status_code == 200


def test_bad_action_input_is_refused_not_crashed(client, staff, scene) -> None:
    url = f"/staff/openings/{scene.opening.id}/act"
    assert client.post(url, data={"action": "shortlist"}).status_code == 200
    assert client.post(url, data={"candidate_ids": ["x"], "action": "shortlist"}).status_code == 200
    assert (
        client.post(url, data={"candidate_ids": [scene.near.id], "action": "hire"}).status_code
        == 200
    )
    assert client.post(url, data={"single": f"{scene.near.id}:hire"}).status_code == 200
    assert (
        client.post(url, data={"candidate_ids": [987654], "action": "shortlist"}).status_code == 404
    )
    assert _apps(scene)[scene.near.id].stage == "applied"


def _listed(html: str) -> list[int]:
    return [int(cid) for cid in re.findall(r'<tr class="[^"]*" data-candidate="(\d+)"', html)]


def test_current_stored_matches_give_the_same_list_as_ranking_live(
    client, staff, scene, make_candidate, make_credential
) -> None:
    from agency.services.engine import engine

    for i in range(6):
        make_credential(make_candidate(first_name=f"Pat{i}", last_name="Extra"), "CPC")
    live = _page(client, scene)
    assert engine().stored_ranking(scene.opening, 25) is None  # never rescored: ranked live
    engine().rescore_opening(scene.opening.id)
    assert engine().stored_ranking(scene.opening, 25) is not None
    stored = _page(client, scene)
    assert _listed(stored) == _listed(live) and len(_listed(live)) >= 7
    # Same scores, same reasons.
    assert re.findall(r"Breakdown of \d+", stored) == re.findall(r"Breakdown of \d+", live)


def test_stored_matches_are_not_used_once_the_opening_changed(client, staff, scene) -> None:
    from agency.models import utcnow
    from agency.services.engine import engine

    engine().rescore_opening(scene.opening.id)
    scene.opening.updated_at = utcnow()
    db.session.commit()
    assert engine().stored_ranking(scene.opening, 25) is None
    assert scene.other.full_name in _page(client, scene)


def test_a_profile_change_since_the_rescore_shows_at_once(client, staff, scene) -> None:
    from agency.services.engine import engine

    engine().rescore_opening(scene.opening.id)
    assert scene.other.full_name in _page(client, scene)
    # Omar moves across the country: no longer eligible, before any worker rescored.
    scene.other.lat, scene.other.lon, scene.other.zip_code = 34.05, -118.24, "90012"
    db.session.commit()
    engine().refresh_candidate(scene.other.id)
    html = _page(client, scene)
    assert scene.other.full_name not in html
    assert scene.near.full_name in html  # the applicant stays


def test_a_candidates_own_rescore_is_not_taken_for_the_openings_ranking(
    client, staff, scene, make_candidate, make_credential
) -> None:
    from agency.services.engine import engine

    for i in range(4):
        make_credential(make_candidate(first_name=f"Lee{i}", last_name="Extra"), "CPC")
    # One candidate's rescore writes a row for every open opening, before any opening rescore.
    engine().rescore_candidate(scene.other.id)
    assert engine().stored_ranking(scene.opening, 25) is None
    html = _page(client, scene)
    assert all(f"Lee{i} Extra" in html for i in range(4))  # ranked live, not one stored row


def test_a_rescore_does_not_count_as_a_change_to_the_opening(client, staff, scene) -> None:
    from agency.services.engine import engine

    before = scene.opening.updated_at
    engine().rescore_opening(scene.opening.id)
    db.session.refresh(scene.opening)
    assert scene.opening.updated_at == before and scene.opening.scored_at is not None
    assert engine().stored_ranking(scene.opening, 25) is not None

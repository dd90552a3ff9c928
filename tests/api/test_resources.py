"""Submittals, pipeline moves, candidates and matches through the API, each against the page's
own rules: what the clinic portal shows, what services.pipeline allows."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Application, AuditEvent, Role, StageChange
from agency.services import notes
from tests.api.conftest import bearer


def test_clinic_reads_its_submittals_as_the_portal_shows_them(
    client: FlaskClient,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_application: Any,
    make_user: Any,
    taxonomy: Any,
) -> None:
    clinic = make_clinic()
    opening = make_opening(clinic)
    submitted = make_application(make_candidate(last_name="Quill"), opening, stage="submitted")
    make_application(make_candidate(), opening, stage="shortlisted")  # not shown to clinics
    staff = make_user(Role.STAFF)
    notes.add(staff, "Fast typist, Epic trained", application=submitted, audience="clinic")
    notes.add(staff, "Internal: asked for more pay", application=submitted)
    db.session.commit()
    headers = bearer(clinic.members[0], "read")
    body = client.get("/api/v1/submittals", headers=headers).get_json()
    assert [s["id"] for s in body["items"]] == [submitted.id]
    item = body["items"][0]
    # The portal's display name: first name and initial, never the full name or contacts.
    assert item["candidate"]["display_name"] == "Maria Q."
    assert "Quill" not in str(body) and "@example.com" not in str(body)
    assert item["allowed_feedback"] == ["interview", "offered", "rejected"]
    # The curated submittal: the stage in the clinic's words and the notes written for the
    # clinic; staff-only notes and the engine's verdicts never leave the agency.
    assert item["status"]["label"] == "New: please review"
    assert [n["body"] for n in item["agency_notes"]] == ["Fast typist, Epic trained"]
    assert "Internal" not in str(body) and "eligible" not in str(body) and "score" not in item
    one = client.get(f"/api/v1/submittals/{submitted.id}", headers=headers)
    assert one.status_code == 200 and one.get_json()["id"] == submitted.id
    # Every candidate shown is audited, as on the portal.
    views = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "clinic_viewed_candidate")
    ).all()
    assert len(views) == 2


def test_another_clinic_gets_404_for_a_submittal(
    client: FlaskClient,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_application: Any,
) -> None:
    owner, stranger = make_clinic(), make_clinic()
    application = make_application(make_candidate(), make_opening(owner), stage="submitted")
    headers = bearer(stranger.members[0], "write")
    assert client.get(f"/api/v1/submittals/{application.id}", headers=headers).status_code == 404
    move = client.post(
        f"/api/v1/submittals/{application.id}/feedback",
        json={"to_stage": "interview"},
        headers=headers,
    )
    assert move.status_code == 404
    assert db.session.get(Application, application.id).stage == "submitted"


def test_clinic_feedback_goes_through_the_pipeline(
    client: FlaskClient,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_application: Any,
    taxonomy: Any,
) -> None:
    clinic = make_clinic()
    application = make_application(make_candidate(), make_opening(clinic), stage="submitted")
    headers = bearer(clinic.members[0], "write")
    url = f"/api/v1/submittals/{application.id}/feedback"
    no_reason = client.post(url, json={"to_stage": "rejected"}, headers=headers)
    assert no_reason.status_code == 409
    assert no_reason.get_json()["errors"][0]["pointer"] == "#/reason"
    ok = client.post(url, json={"to_stage": "interview"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["stage"] == "interview"
    change = db.session.scalars(
        db.select(StageChange).where(StageChange.to_stage == "interview")
    ).one()
    assert change.actor_id == clinic.members[0].id


def test_staff_move_an_application_and_if_match_guards_it(
    client: FlaskClient,
    make_user: Any,
    make_opening: Any,
    make_candidate: Any,
    make_application: Any,
    taxonomy: Any,
) -> None:
    application = make_application(make_candidate(), make_opening(), stage="applied")
    headers = bearer(make_user(Role.STAFF), "write")
    url = f"/api/v1/applications/{application.id}"
    read = client.get(url, headers=headers)
    assert read.get_json()["allowed_moves"] == ["shortlisted", "submitted", "rejected", "withdrawn"]
    etag = read.headers["ETag"]
    moved = client.post(
        url + "/moves", json={"to_stage": "shortlisted"}, headers={**headers, "If-Match": etag}
    )
    assert moved.status_code == 200 and moved.get_json()["stage"] == "shortlisted"
    # The same ETag again: the application moved since, so the second move is refused.
    stale = client.post(
        url + "/moves", json={"to_stage": "submitted"}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    bad = client.post(url + "/moves", json={"to_stage": "placed"}, headers=headers)
    assert bad.status_code == 409 and "Cannot move" in bad.get_json()["detail"]
    listed = client.get("/api/v1/applications?stage=shortlisted", headers=headers).get_json()
    assert [a["id"] for a in listed["items"]] == [application.id]


def test_candidate_reads_only_their_own_profile(
    client: FlaskClient, make_candidate: Any, make_user: Any
) -> None:
    me, other = make_candidate(), make_candidate()
    headers = bearer(me.user, "read")
    mine = client.get(f"/api/v1/candidates/{me.id}", headers=headers)
    assert mine.status_code == 200 and mine.get_json()["email"] == me.user.email
    assert client.get(f"/api/v1/candidates/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/candidates", headers=headers).status_code == 403
    staff = bearer(make_user(Role.STAFF), "read")
    listed = client.get("/api/v1/candidates", headers=staff).get_json()
    assert {c["id"] for c in listed["items"]} == {me.id, other.id}


def test_staff_read_ranked_matches_with_breakdown(
    client: FlaskClient, make_user: Any, make_opening: Any, make_candidate: Any, taxonomy: Any
) -> None:
    opening = make_opening()
    near, far = make_candidate(), make_candidate(zip_code="94105", lat=37.79, lon=-122.39)
    headers = bearer(make_user(Role.STAFF), "read")
    response = client.get(f"/api/v1/openings/{opening.id}/matches?k=10", headers=headers)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert items[0]["candidate_id"] == near.id and items[0]["rank"] == 1
    assert items[0]["eligible"] is True and items[0]["score"] > 0
    # The breakdown: each component in [0, 1] or null where it does not apply.
    assert items[0]["components"]["distance"] is not None
    assert all(v is None or 0 <= v <= 1 for v in items[0]["components"].values())
    assert items[0]["contributions"]
    assert far.id not in [i["candidate_id"] for i in items if i["eligible"]]
    clinic_headers = bearer(opening.clinic.members[0], "read")
    assert (
        client.get(f"/api/v1/openings/{opening.id}/matches", headers=clinic_headers).status_code
        == 403
    )

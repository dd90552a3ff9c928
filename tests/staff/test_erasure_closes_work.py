"""Erasure means gone from the work: closed applications, out of every ranking and proposal,
no further moves, and the clinic reads "withdrawn" (never a placeholder name)."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import Application, Match, OutboxMessage, Role, Stage, User
from agency.services import batch_fill, pipeline, privacy
from agency.services.engine import engine
from tests.conftest import login


def _erase(candidate: Any) -> None:
    privacy.erase(candidate)
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def erased_scene(
    scene: Any, make_user: Any, make_opening: Any, make_candidate: Any, make_credential: Any
) -> Any:
    """Nora applied to the scene's opening and was submitted to a second opening; Omar (also
    eligible) was rejected for a third. Then Nora and Omar erase their accounts; Zoe stays."""
    staff = make_user(Role.STAFF)
    make_credential(make_candidate(first_name="Zoe", last_name="Stays"), "CPC")
    second = make_opening(clinic=scene.clinic, title="Back Office Secretary")
    submitted = pipeline.source(scene.near, second, staff)
    pipeline.move(submitted, Stage.SUBMITTED, staff)
    third = make_opening(clinic=scene.clinic, title="Weekend Receptionist")
    rejected = pipeline.source(scene.other, third, staff)
    pipeline.move(rejected, Stage.REJECTED, staff, reason="Schedule does not fit")
    db.session.commit()
    engine().rescore_opening(scene.opening.id)
    assert db.session.execute(db.select(Match).where(Match.candidate_id == scene.near.id)).first()
    _erase(scene.near)
    _erase(scene.other)
    return scene, submitted, rejected, second


def test_erasure_withdraws_every_open_application_with_the_reason(erased_scene: Any) -> None:
    scene, _submitted, rejected, _ = erased_scene
    rows = {
        a.opening_id: a
        for a in db.session.execute(
            db.select(Application).where(Application.candidate_id == scene.near.id)
        ).scalars()
    }
    assert {a.stage for a in rows.values()} == {Stage.WITHDRAWN}
    for application in rows.values():
        assert application.stage_reason == "account erased"
        last = application.history[-1]
        assert (last.to_stage, last.reason) == (Stage.WITHDRAWN, "account erased")
    # A closed application stays as it was (it is not withdrawn a second time).
    closed = db.session.get(Application, rejected.id)
    assert closed.stage == Stage.REJECTED
    assert [h.to_stage for h in closed.history] == ["sourced", "rejected"]


def test_no_stage_move_is_possible_after_erasure(erased_scene: Any, staff: Any) -> None:
    scene, submitted, rejected, _second = erased_scene
    before = set(db.session.execute(db.select(OutboxMessage.id)).scalars())
    application = db.session.get(Application, submitted.id)
    assert pipeline.allowed_moves(application, Role.STAFF) == []
    with pytest.raises(pipeline.PipelineError, match="erased their account"):
        pipeline.move(application, Stage.INTERVIEW, staff)
    # Reconsidering a rejection is closed too, and so is sourcing them anew.
    reopened = db.session.get(Application, rejected.id)
    with pytest.raises(pipeline.PipelineError, match="erased their account"):
        pipeline.advance(reopened.candidate, reopened.opening, Stage.SHORTLISTED, staff)
    fresh_opening = scene.opening
    db.session.rollback()
    with pytest.raises(pipeline.PipelineError, match="erased their account"):
        pipeline.advance(scene.other, fresh_opening, Stage.SUBMITTED, staff)
    db.session.rollback()
    result = pipeline.bulk_review(fresh_opening, [scene.other], "submit", staff)
    assert result.done == [] and "erased their account" in result.skipped[0][1]
    db.session.rollback()
    # Nothing was written, so no mail reaches the clinic.
    assert set(db.session.execute(db.select(OutboxMessage.id)).scalars()) == before


def test_the_staff_application_page_says_why_and_a_forced_move_is_refused(
    client: Any, staff: Any, erased_scene: Any
) -> None:
    _, submitted, _, _ = erased_scene
    page = client.get(f"/staff/applications/{submitted.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "erased their account" in text
    before = db.session.execute(db.select(OutboxMessage.id)).scalars().all()
    forced = client.post(f"/staff/applications/{submitted.id}/move", data={"to_stage": "interview"})
    assert forced.status_code == 200
    assert "erased their account" in forced.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, submitted.id).stage == Stage.WITHDRAWN
    assert db.session.execute(db.select(OutboxMessage.id)).scalars().all() == before


def test_the_erased_are_in_no_ranking_and_no_batch_proposal(erased_scene: Any, staff: Any) -> None:
    scene, _, _, second = erased_scene
    gone = {scene.near.id, scene.other.id}
    # The opening's stored proposals, rebuilt with its applicants, leave them out.
    engine().rescore_opening(scene.opening.id)
    stored = set(db.session.execute(db.select(Match.candidate_id)).scalars())
    assert stored and not stored & gone
    engine().rescore_all()
    assert not set(db.session.execute(db.select(Match.candidate_id)).scalars()) & gone
    ranked = engine().rank(scene.opening, k=50, include_ineligible=True)
    assert ranked and not {m.candidate_id for m in ranked} & gone
    proposal = batch_fill.propose([scene.opening, second])
    offered = {c.candidate_id for row in proposal.rows for c in row.alternatives}
    assert offered and not offered & gone
    assert engine().openings_for(db.session.get(type(scene.near), scene.near.id)) == []
    accepted = batch_fill.accept([(scene.opening.id, scene.other.id)], staff)
    assert accepted.done == [] and "erased their account" in accepted.skipped[0][1]


def test_the_clinic_sees_withdrawn_never_a_placeholder_name(app: Any, erased_scene: Any) -> None:
    scene, submitted, _, second = erased_scene
    member = db.session.execute(
        db.select(User).where(User.clinic_id == scene.clinic.id)
    ).scalar_one()
    clinic_client = app.test_client()
    assert login(clinic_client, member.email).status_code == 302
    page = clinic_client.get(f"/clinic/openings/{second.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'id="app-{submitted.id}"' in text
    assert "Withdrawn" in text
    assert privacy.ERASED_NAME not in text and "Former candidate" not in text


def test_a_clinic_forcing_a_move_reads_withdrawn_and_nothing_moves(
    app: Any, erased_scene: Any
) -> None:
    scene, submitted, _, _ = erased_scene
    member = db.session.execute(
        db.select(User).where(User.clinic_id == scene.clinic.id)
    ).scalar_one()
    clinic_client = app.test_client()
    assert login(clinic_client, member.email).status_code == 302
    response = clinic_client.post(
        f"/clinic/applications/{submitted.id}/move",
        data={"to_stage": "interview"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "This candidate has withdrawn." in text
    assert "erased" not in text.lower()
    db.session.expire_all()
    assert db.session.get(Application, submitted.id).stage == Stage.WITHDRAWN

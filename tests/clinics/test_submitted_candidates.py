"""A clinic sees only the candidates the agency submitted, what the agency shares, and decides."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import Application, AuditEvent, StageChange
from agency.services import pipeline


@pytest.fixture
def setup(make_clinic: Any, make_opening: Any, make_candidate: Any, login_as: Any, taxonomy: Any):
    clinic = make_clinic()
    opening = make_opening(clinic, title="Front desk")
    login_as(clinic.members[0])
    return clinic, opening


def names(page: str) -> set[str]:
    return {n for n in ("Ana", "Bea", "Cleo", "Dina", "Eve", "Fay") if n in page}


def test_only_submitted_candidates_are_shown(
    client: Any, setup: Any, make_candidate: Any, staff: Any, submit: Any
) -> None:
    clinic, opening = setup
    member = clinic.members[0]
    submit(make_candidate(first_name="Ana", last_name="Alvarez"), opening)
    # Applied or shortlisted: still the agency's business.
    pipeline.source(make_candidate(first_name="Bea"), opening, staff)
    cleo = pipeline.source(make_candidate(first_name="Cleo"), opening, staff)
    pipeline.move(cleo, "shortlisted", staff)
    dina = pipeline.source(make_candidate(first_name="Dina"), opening, staff)
    pipeline.move(dina, "rejected", staff, reason="No")  # declined before submission
    db.session.commit()
    submit(
        make_candidate(first_name="Eve"), opening, ("rejected", member)
    )  # declined by the clinic
    fay = submit(make_candidate(first_name="Fay"), opening)
    pipeline.move(fay, "withdrawn", staff, reason="Took another job")
    db.session.commit()

    for path in ("/clinic/", f"/clinic/openings/{opening.id}"):
        page = client.get(path).get_data(as_text=True)
        assert names(page) == {"Ana", "Eve"}, path
    page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    assert "Ana A." in page and "Alvarez" not in page


def test_profile_shows_shared_parts_never_contact_details(
    client: Any, setup: Any, make_candidate: Any, make_credential: Any, submit: Any
) -> None:
    _clinic, opening = setup
    ana = make_candidate(
        first_name="Ana", phone="617-555-0199", typing_wpm=72, languages=["spanish"]
    )
    make_credential(ana, "CMAA")
    submit(ana, opening)
    page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    assert "72 wpm" in page and "Spanish" in page and "Epic" in page
    assert "Certified Medical Administrative Assistant" in page and "Verified by the agency" in page
    # The phone in any of its spellings (not "617" alone: a generated e-mail may contain it).
    assert "555-0199" not in page and "5550199" not in page and "555 0199" not in page
    assert ana.user.email not in page and ana.last_name not in page
    assert "Fit with this opening" not in page  # the engine's verdicts are for staff


def test_profile_details_are_withheld_without_consent(
    client: Any, setup: Any, make_candidate: Any, submit: Any
) -> None:
    _clinic, opening = setup
    submit(make_candidate(first_name="Ana", consent_share_profile=False, typing_wpm=88), opening)
    page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    assert "Ana" in page and "chose not to share" in page and "88 wpm" not in page


def test_each_view_is_audited(client: Any, setup: Any, make_candidate: Any, submit: Any) -> None:
    clinic, opening = setup
    a = submit(make_candidate(first_name="Ana"), opening)
    b = submit(make_candidate(first_name="Eve"), opening)
    client.get(f"/clinic/openings/{opening.id}")
    events = (
        db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "clinic_viewed_candidate")
        )
        .scalars()
        .all()
    )
    assert {e.object_id for e in events} == {a.candidate_id, b.candidate_id}
    assert all(e.actor_id == clinic.members[0].id and e.object_type == "candidate" for e in events)
    assert all(e.details["opening_id"] == opening.id for e in events)


def stage_of(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).stage


def test_invite_then_hire(client: Any, setup: Any, make_candidate: Any, submit: Any) -> None:
    clinic, opening = setup
    app = submit(make_candidate(first_name="Ana"), opening)
    response = client.post(f"/clinic/applications/{app.id}/move", data={"to_stage": "interview"})
    assert response.status_code == 302 and f"#app-{app.id}" in response.headers["Location"]
    assert stage_of(app) == "interview"
    client.post(f"/clinic/applications/{app.id}/move", data={"to_stage": "offered"})
    assert stage_of(app) == "offered"
    change = db.session.execute(
        db.select(StageChange).where(StageChange.to_stage == "offered")
    ).scalar_one()
    assert change.actor_id == clinic.members[0].id


def test_dashboard_counts_the_placed_against_the_positions(
    client: Any, setup: Any, make_candidate: Any, submit: Any
) -> None:
    _, opening = setup
    opening.positions = 2
    submit(make_candidate(first_name="Ana"), opening, ("interview", None), ("offered", None))
    submit(
        make_candidate(first_name="Bea"),
        opening,
        ("interview", None),
        ("offered", None),
        ("placed", None),
    )
    submit(make_candidate(first_name="Cleo"), opening)
    page = client.get("/clinic/").get_data(as_text=True)
    assert "<strong>1</strong> of 2 placed" in page
    assert 'aria-label="1 of 2 positions filled"' in page
    opening_page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    assert "<strong>1</strong> of 2 placed" in opening_page


def test_decline_needs_a_reason(client: Any, setup: Any, make_candidate: Any, submit: Any) -> None:
    _clinic, opening = setup
    app = submit(make_candidate(first_name="Ana"), opening)
    page = client.post(
        f"/clinic/applications/{app.id}/move", data={"to_stage": "rejected"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Please choose a reason" in page
    assert stage_of(app) == "submitted"
    client.post(
        f"/clinic/applications/{app.id}/move",
        data={
            "to_stage": "rejected",
            "reason": "Schedule does not fit",
            "details": "Needs evenings",
        },
    )
    db.session.expire_all()
    fresh = db.session.get(Application, app.id)
    assert fresh.stage == "rejected"
    assert fresh.stage_reason == "Schedule does not fit: Needs evenings"
    # Still listed (declined after submission), without feedback buttons.
    page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    assert "Declined" in page and "Invite to interview" not in page


@pytest.mark.parametrize(
    "data",
    [
        {"to_stage": "placed"},  # only staff place
        {"to_stage": "submitted"},
        {"to_stage": ""},
        {"to_stage": "rejected", "reason": "Because I say so"},  # not one of the reasons
        {"to_stage": "interview", "details": "x" * 5000},
    ],
)
def test_bad_feedback_changes_nothing(
    client: Any, setup: Any, make_candidate: Any, submit: Any, data: dict[str, str]
) -> None:
    _clinic, opening = setup
    app = submit(make_candidate(first_name="Ana"), opening)
    response = client.post(f"/clinic/applications/{app.id}/move", data=data)
    assert response.status_code == 302
    assert stage_of(app) == "submitted"


def test_a_move_the_pipeline_refuses_is_explained(
    client: Any, setup: Any, make_candidate: Any, submit: Any
) -> None:
    _clinic, opening = setup
    app = submit(make_candidate(first_name="Ana"), opening)
    client.post(f"/clinic/applications/{app.id}/move", data={"to_stage": "offered"})
    page = client.post(
        f"/clinic/applications/{app.id}/move", data={"to_stage": "interview"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cannot move from offered to interview" in page
    assert stage_of(app) == "offered"


def test_foreign_or_unsubmitted_applications_are_not_found(
    client: Any,
    setup: Any,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    staff: Any,
    submit: Any,
) -> None:
    _clinic, opening = setup
    other = submit(make_candidate(first_name="Ana"), make_opening(make_clinic()))
    unsubmitted = pipeline.source(make_candidate(first_name="Bea"), opening, staff)
    db.session.commit()
    for app_id in (other.id, unsubmitted.id, 999_999, 10**30):
        response = client.post(
            f"/clinic/applications/{app_id}/move", data={"to_stage": "interview"}
        )
        assert response.status_code == 404
    assert stage_of(other) == "submitted" and stage_of(unsubmitted) == "sourced"
    page = client.get("/clinic/").get_data(as_text=True)
    assert "Ana" not in page


def test_query_count_does_not_grow_with_openings_or_candidates(
    client: Any,
    setup: Any,
    make_opening: Any,
    make_candidate: Any,
    make_credential: Any,
    submit: Any,
    count_queries: Any,
) -> None:
    clinic, opening = setup

    def add_candidate(target: Any) -> None:
        c = make_candidate(first_name="Ana")
        make_credential(c, "CMAA")
        submit(c, target)

    add_candidate(opening)
    client.get("/clinic/")  # warm caches (engine pool, taxonomy)
    client.get(f"/clinic/openings/{opening.id}")
    with count_queries() as small_dash:
        client.get("/clinic/")
    with count_queries() as small_detail:
        client.get(f"/clinic/openings/{opening.id}")
    for _ in range(4):
        extra = make_opening(clinic)
        for _ in range(3):
            add_candidate(extra)
    for _ in range(4):
        add_candidate(opening)
    client.get(f"/clinic/openings/{opening.id}")
    with count_queries() as big_dash:
        client.get("/clinic/")
    with count_queries() as big_detail:
        client.get(f"/clinic/openings/{opening.id}")
    assert big_dash.count == small_dash.count, big_dash.statements
    assert big_detail.count == small_detail.count, big_detail.statements

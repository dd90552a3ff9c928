"""Applying (services.applications): who may apply, and what happens to a row the agency made
for the same pair before the candidate knew of it. The apply page itself is covered in
tests/candidates/test_apply.py."""

from __future__ import annotations

import pytest

from agency.extensions import db
from agency.models import Application, CandidateStatus, Role, Stage, StageChange
from agency.services import applications, pipeline
from agency.services.applications import ApplyError


def _applications() -> list[Application]:
    return list(db.session.execute(db.select(Application)).scalars())


@pytest.mark.parametrize("status", [CandidateStatus.INACTIVE, CandidateStatus.PLACED])
def test_a_profile_that_is_not_active_cannot_apply_and_nothing_is_written(
    app, make_candidate, make_opening, status
) -> None:
    candidate = make_candidate(status=status)
    with pytest.raises(ApplyError, match="profile is not active"):
        applications.apply(candidate, make_opening(), "Hello", candidate.user)
    db.session.rollback()
    assert _applications() == []


def test_a_closed_opening_is_named_before_the_profile_state(
    app, make_candidate, make_opening
) -> None:
    candidate = make_candidate(status=CandidateStatus.INACTIVE)
    opening = make_opening(status="closed")
    assert applications.standing(candidate, opening).refusal == (
        "This opening is not taking applications any more."
    )


def test_applying_after_being_sourced_unknowingly_takes_over_that_row(
    app, make_user, make_candidate, make_opening
) -> None:
    staff = make_user(Role.STAFF)
    candidate, opening = make_candidate(), make_opening()
    sourced = pipeline.source(candidate, opening, staff)
    pipeline.move(sourced, Stage.REJECTED, staff, reason="Not now")
    db.session.commit()
    # The candidate never heard of that row, so nothing stands in their way.
    assert applications.standing(candidate, opening).refusal is None

    applied = applications.apply(candidate, opening, "  I know Epic.  ", candidate.user)
    db.session.commit()
    [row] = _applications()
    assert row.id == sourced.id == applied.application.id
    assert (row.stage, row.source, row.note, row.stage_reason) == (
        Stage.APPLIED,
        "applied",
        "I know Epic.",
        "",
    )
    last = db.session.execute(
        db.select(StageChange).order_by(StageChange.id.desc()).limit(1)
    ).scalar_one()
    assert (last.from_stage, last.to_stage) == ("rejected", "applied")
    # Now it is theirs: a second try is refused with the date they applied.
    refusal = applications.standing(candidate, opening).refusal
    assert refusal is not None and refusal.startswith("You already applied to this opening on")


def test_the_note_is_kept_to_its_limit(app, make_candidate, make_opening) -> None:
    candidate = make_candidate()
    applied = applications.apply(candidate, make_opening(), "x" * 5000, candidate.user)
    db.session.commit()
    assert len(applied.application.note) == applications.MAX_NOTE

"""The pipeline's moves as the staff review page offers them (agency/services/pipeline.py)."""

from __future__ import annotations

import pytest

from agency.services import pipeline


@pytest.mark.parametrize(
    ("stage", "offered"),
    [
        (None, {"shortlist", "submit", "reject"}),  # not in the pipeline: sourced first
        ("applied", {"shortlist", "submit", "reject"}),
        ("sourced", {"shortlist", "submit", "reject"}),
        ("shortlisted", {"submit", "reject"}),
        ("rejected", {"shortlist"}),  # staff may reconsider
        ("submitted", {"reject"}),
        ("placed", set()),
        ("withdrawn", set()),
    ],
)
def test_review_buttons_follow_the_transitions(stage: str | None, offered: set[str]) -> None:
    assert pipeline.review_moves(stage) == offered

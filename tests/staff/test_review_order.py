"""The review list puts every eligible candidate before every ineligible one, whatever the score."""

from __future__ import annotations

import re

from agency.extensions import db
from agency.models import CandidateSkill, Skill
from agency.services.staff_queries import review as review_queries


def _strong_front_desk(person) -> None:
    for skill in db.session.execute(db.select(Skill).where(Skill.side != "back")).scalars():
        db.session.add(CandidateSkill(candidate_id=person.id, skill_id=skill.id, level=4))
    db.session.commit()


def test_ineligible_candidates_follow_the_eligible_ones(client, staff, scene, make_application):
    # The expired-CPC and out-of-reach candidates have the strongest profiles by far.
    _strong_front_desk(scene.expired)
    _strong_front_desk(scene.far)
    make_application(scene.far, scene.opening)
    rows, _ = review_queries.opening_review(
        scene.opening, 25, review_queries.ReviewFilters(near_misses=True)
    )
    flags = [r.eligible for r in rows]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    score = {r.candidate.id: r.score for r in rows}
    assert score[scene.expired.id] > score[scene.other.id]  # the scores alone would mix them
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))

    html = client.get(
        f"/staff/openings/{scene.opening.id}", query_string={"near_misses": "y"}
    ).get_data(as_text=True)
    classes = re.findall(r'<tr class="([^"]*)" data-candidate=', html)
    ineligible = ["is-ineligible" in c for c in classes]
    assert ineligible == sorted(ineligible) and any(ineligible) and not all(ineligible)

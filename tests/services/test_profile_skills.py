"""A candidate's own skill levels (services.profiles.set_skills): what a save changes, what it
ignores, and whose word a level is afterwards."""

from __future__ import annotations

from agency.extensions import db
from agency.models import CandidateSkill, Skill, SkillSource
from agency.services import profiles


def _skill_ids(n: int) -> list[int]:
    return list(db.session.execute(db.select(Skill.id).order_by(Skill.id).limit(n)).scalars())


def _levels(candidate) -> dict[int, tuple[int, SkillSource]]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(CandidateSkill).where(CandidateSkill.candidate_id == candidate.id)
    ).scalars()
    return {r.skill_id: (r.level, r.source) for r in rows}


def test_a_save_adds_changes_and_removes_with_level_zero(app, taxonomy, make_candidate) -> None:
    a, b, c = _skill_ids(3)
    candidate = make_candidate()
    profiles.set_skills(candidate, {a: 2, b: 3})
    db.session.commit()
    profiles.set_skills(candidate, {a: 0, b: 4, c: 1})
    db.session.commit()
    assert _levels(candidate) == {b: (4, SkillSource.SELF), c: (1, SkillSource.SELF)}


def test_unknown_skills_and_levels_out_of_range_are_ignored(app, taxonomy, make_candidate) -> None:
    (a, b) = _skill_ids(2)
    candidate = make_candidate()
    profiles.set_skills(candidate, {a: 5, b: -1, 999_999: 3})
    db.session.commit()
    assert _levels(candidate) == {}


def test_changing_a_level_found_in_the_resume_makes_it_the_candidates_own_word(
    app, taxonomy, make_candidate
) -> None:
    from_resume, assessed = _skill_ids(2)
    candidate = make_candidate()
    candidate.skills.append(
        CandidateSkill(skill_id=from_resume, level=2, source=SkillSource.RESUME)
    )
    candidate.skills.append(CandidateSkill(skill_id=assessed, level=3, source=SkillSource.ASSESSED))
    db.session.commit()
    # Saving the form with the assessed level unchanged keeps it an assessment.
    profiles.set_skills(candidate, {from_resume: 4, assessed: 3})
    db.session.commit()
    assert _levels(candidate) == {
        from_resume: (4, SkillSource.SELF),
        assessed: (3, SkillSource.ASSESSED),
    }

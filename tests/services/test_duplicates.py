"""Likely duplicates are flagged by the stated rules, and a merge loses nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Candidate,
    CandidateSkill,
    Credential,
    Decision,
    DuplicateFlag,
    DuplicateStatus,
    Note,
    Role,
    Skill,
    StageChange,
    User,
)
from agency.services import duplicates


def _flag(candidate: Candidate) -> list[DuplicateFlag]:
    flags = duplicates.flag(candidate)
    db.session.commit()
    return flags


def test_same_phone_is_flagged_whatever_the_names(make_candidate: Any) -> None:
    first = make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0123")
    second = make_candidate(first_name="Rosa", last_name="Diaz", phone="(617) 555-0123")
    (pair,) = _flag(second)
    assert (pair.candidate_id, pair.other_id) == (first.id, second.id)
    assert pair.reasons == [duplicates.SAME_PHONE]


def test_close_name_needs_the_same_zip_or_credential_date(
    make_candidate: Any, make_credential: Any
) -> None:
    ann = make_candidate(first_name="Ann", last_name="Lee", zip_code="02139")
    # Same ZIP, the name written the other way round: flagged.
    same_zip = make_candidate(first_name="Lee", last_name="Ann", zip_code="02139")
    # A close name elsewhere and nothing shared: two people.
    elsewhere = make_candidate(first_name="Anne", last_name="Lee", zip_code="94110")
    assert [f.other_id for f in _flag(same_zip)] == [same_zip.id]
    assert _flag(elsewhere) == []
    # The same kind of credential issued the same day makes the distant namesake a likely match.
    make_credential(ann, "CPC", issued_on=date(2024, 3, 1))
    make_credential(elsewhere, "CPC", issued_on=date(2024, 3, 1))
    db.session.refresh(elsewhere)
    (pair,) = [f for f in _flag(elsewhere) if ann.id in (f.candidate_id, f.other_id)]
    assert duplicates.NAME_AND_CREDENTIAL in pair.reasons


def test_a_similar_family_name_alone_is_not_a_duplicate(make_candidate: Any) -> None:
    make_candidate(first_name="Maria", last_name="Garcia", zip_code="02139")
    other = make_candidate(first_name="Peter", last_name="Garcia", zip_code="02139")
    assert _flag(other) == []


def test_a_dismissed_pair_stays_dismissed(make_candidate: Any, make_user: Any) -> None:
    make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0199")
    second = make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0199")
    (pair,) = _flag(second)
    duplicates.dismiss(pair, make_user(Role.STAFF))
    db.session.commit()
    _flag(second)
    assert db.session.get(DuplicateFlag, pair.id).status == DuplicateStatus.DISMISSED
    assert duplicates.open_flags() == []


@pytest.fixture
def two_records(
    make_candidate: Any, make_opening: Any, make_application: Any, make_credential: Any
) -> Any:
    """Ann registered twice: both applied to one opening (the second got further), each has
    an application of its own, a credential, a note and a shared skill at different levels."""
    keep = make_candidate(first_name="Ann", last_name="Lee", phone="", summary="")
    drop = make_candidate(
        first_name="Ann", last_name="Lee", phone="(617) 555-0123", summary="Epic front desk."
    )
    shared, only_keep, only_drop = (make_opening(title=t) for t in ("Shared", "Mine", "Theirs"))
    a_keep = make_application(keep, shared, "applied")
    a_drop = make_application(drop, shared, "submitted")
    make_application(keep, only_keep)
    make_application(drop, only_drop)
    make_credential(keep, "BLS")
    make_credential(drop, "CPC")
    skill = Skill(code="scheduling", name="Scheduling", category="front_office")
    db.session.add(skill)
    db.session.flush()
    db.session.add_all(
        [
            CandidateSkill(candidate_id=keep.id, skill_id=skill.id, level=2),
            CandidateSkill(candidate_id=drop.id, skill_id=skill.id, level=4),
            Note(candidate_id=drop.id, body="Called twice about weekend shifts."),
            Note(application_id=a_keep.id, body="Asked about parking."),
            Decision(
                candidate_id=drop.id, opening_id=only_drop.id, stage="submitted", positive=True
            ),
        ]
    )
    db.session.commit()
    return keep, drop, a_keep, a_drop, skill


def test_merge_moves_every_related_record(two_records: Any, make_user: Any) -> None:
    keep, drop, a_keep, a_drop, skill = two_records
    drop_id, drop_user_id = drop.id, drop.user_id
    staff = make_user(Role.STAFF)
    duplicates.merge(keep, drop, staff, ip="203.0.113.9")
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Candidate, drop_id) is None
    apps = db.session.execute(db.select(Application).where(Application.candidate_id == keep.id))
    by_title = {a.opening.title: a for a in apps.scalars()}
    assert set(by_title) == {"Shared", "Mine", "Theirs"}
    # Two applications to one opening became the one further along, with both histories.
    assert by_title["Shared"].id == a_drop.id and by_title["Shared"].stage == "submitted"
    history = db.session.execute(
        db.select(StageChange.to_stage).where(StageChange.application_id == a_drop.id)
    ).scalars()
    assert sorted(history) == ["applied", "submitted"]
    assert (
        db.session.execute(
            db.select(Note.application_id).where(Note.body == "Asked about parking.")
        ).scalar_one()
        == a_drop.id
    )
    assert db.session.get(Application, a_keep.id) is None
    codes = sorted(c.credential_type.code for c in keep.credentials)
    assert codes == ["BLS", "CPC"]
    assert [(s.skill_id, s.level) for s in keep.skills] == [(skill.id, 4)]
    note = db.session.execute(db.select(Note).where(Note.body.like("Called twice%"))).scalar_one()
    assert note.candidate_id == keep.id
    assert db.session.execute(db.select(Decision.candidate_id)).scalar_one() == keep.id
    # Blank fields were filled from the dropped record; the kept ones were not overwritten.
    assert keep.phone == "(617) 555-0123" and keep.summary == "Epic front desk."
    # One person, one login: the second one can no longer sign in.
    assert db.session.get(User, drop_user_id).active is False
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "candidates_merged")
    ).scalar_one()
    assert event.actor_id == staff.id and event.candidate_id == keep.id
    assert event.details["merged_id"] == drop_id and event.details["applications_combined"] == 1
    assert event.details["moved"]["credentials"] == 1


def test_a_record_without_a_login_is_claimed_by_the_merged_login(
    make_candidate: Any, make_user: Any
) -> None:
    entered = make_candidate(first_name="Ann", last_name="Lee", with_user=False)
    registered = make_candidate(first_name="Ann", last_name="Lee")
    login_id = registered.user_id
    duplicates.merge(entered, registered, make_user(Role.STAFF))
    db.session.commit()
    assert entered.user_id == login_id and db.session.get(User, login_id).active is True


def test_a_record_cannot_be_merged_into_itself(make_candidate: Any, make_user: Any) -> None:
    one = make_candidate()
    with pytest.raises(duplicates.MergeError):
        duplicates.merge(one, one, make_user(Role.STAFF))


def test_other_pairs_of_the_dropped_record_move_to_the_kept_one(
    make_candidate: Any, make_user: Any
) -> None:
    keep = make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0101")
    drop = make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0101")
    third = make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0101")
    _flag(third)
    assert len(duplicates.open_flags()) == 2  # (keep, third) and (drop, third)
    _flag(drop)
    duplicates.merge(keep, drop, make_user(Role.STAFF))
    db.session.commit()
    pairs = [(f.candidate_id, f.other_id) for f in duplicates.open_flags()]
    assert pairs == [(keep.id, third.id)]
    assert db.session.execute(db.select(Credential)).first() is None


def test_one_per_person_rows_keep_the_kept_records(make_candidate: Any, make_user: Any) -> None:
    from agency.models.self_id import SelfIdentification

    keep, drop = make_candidate(first_name="Ann"), make_candidate(first_name="Ann")
    db.session.add_all(
        [
            SelfIdentification(candidate_id=keep.id, sex="female"),
            SelfIdentification(candidate_id=drop.id, sex="declined"),
        ]
    )
    db.session.commit()
    duplicates.merge(keep, drop, make_user(Role.STAFF))
    db.session.commit()
    rows = db.session.execute(db.select(SelfIdentification)).scalars().all()
    assert [(r.candidate_id, r.sex) for r in rows] == [(keep.id, "female")]


def test_a_batch_is_checked_against_the_newest_of_each_zip_code(
    make_candidate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import's batch compares names with the newest SCAN_LIMIT candidates of each of its ZIP
    codes (several ZIP codes in one query), and phones with every record."""
    monkeypatch.setattr(duplicates, "SCAN_LIMIT", 3)
    oldest = make_candidate(first_name="Nora", last_name="Quist", zip_code="02139")
    for n in range(3):  # newer records of the same ZIP push Nora past the limit
        make_candidate(first_name=f"Other{n}", last_name="Person", zip_code="02139")
    in_reach = make_candidate(first_name="Omar", last_name="Quist", zip_code="02138")
    old_phone = make_candidate(first_name="Pia", last_name="Far", phone="(617) 555-0177")
    for n in range(4):
        make_candidate(first_name=f"Later{n}", last_name="Person", zip_code="02138")
    batch = [
        make_candidate(first_name="Nora", last_name="Quist", zip_code="02139"),
        make_candidate(first_name="Omar", last_name="Quist", zip_code="02138"),
        make_candidate(first_name="Zed", last_name="Near", phone="(617) 555-0177"),
    ]
    monkeypatch.setattr(duplicates, "SCAN_LIMIT", 3 + len(batch))  # the batch itself, newest
    assert duplicates.flag_many([duplicates.NewRecord.of(c) for c in batch]) == 2
    pairs = {
        (f.candidate_id, f.other_id): f.reasons
        for f in db.session.execute(db.select(DuplicateFlag)).scalars()
    }
    assert pairs == {
        (in_reach.id, batch[1].id): [duplicates.NAME_AND_ZIP],
        (old_phone.id, batch[2].id): [duplicates.SAME_PHONE],
    }
    assert all(oldest.id not in pair for pair in pairs)


def test_the_comparison_counts_each_persons_applications_with_none_as_zero(
    make_candidate: Any, make_opening: Any, make_application: Any
) -> None:
    busy = make_candidate(first_name="Ann", last_name="Lee")
    idle = make_candidate(first_name="Anne", last_name="Lee")
    for title in ("Front desk", "Billing"):
        make_application(busy, make_opening(title=title))
    db.session.commit()
    assert duplicates.application_counts([busy.id, idle.id]) == {busy.id: 2, idle.id: 0}

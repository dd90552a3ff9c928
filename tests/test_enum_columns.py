"""Enum columns: a row reads back as the enum member, a value or a member may be written and
filtered on, and a string that is not one of the enum's values never reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import StatementError

from agency.extensions import db
from agency.models import Decision, Opening, OpeningStatus, Role, Stage, StageChange, User


def test_a_loaded_row_holds_the_member_which_reads_as_its_value(app, make_opening) -> None:
    opening_id = make_opening(status="on_hold").id
    db.session.expire_all()
    status = db.session.get_one(Opening, opening_id).status
    assert status is OpeningStatus.ON_HOLD
    # Templates, JSON and URLs see the stored word, not the member's name.
    assert f"{status}" == str(status) == "on_hold"


def test_filters_take_a_member_or_its_value_alike(app, make_opening) -> None:
    closed = make_opening(status=OpeningStatus.CLOSED).id
    make_opening(status=OpeningStatus.OPEN)
    by_member = db.session.execute(
        db.select(Opening.id).where(Opening.status == OpeningStatus.CLOSED)
    ).scalars()
    by_value = db.session.execute(
        db.select(Opening.id).where(Opening.status.in_(["closed"]))
    ).scalars()
    assert list(by_member) == list(by_value) == [closed]


def test_a_selected_column_comes_back_as_members(app, make_opening) -> None:
    make_opening(status=OpeningStatus.DRAFT)
    make_opening(status=OpeningStatus.FILLED)
    got = db.session.execute(db.select(Opening.status).order_by(Opening.id)).scalars().all()
    assert got == [OpeningStatus.DRAFT, OpeningStatus.FILLED]
    assert all(isinstance(s, OpeningStatus) for s in got)


def test_an_unknown_value_is_refused_naming_the_enum_and_nothing_is_saved(app) -> None:
    db.session.add(User(email="x@example.com", password_hash="x", role="superuser"))
    with pytest.raises(StatementError, match="not a Role") as refused:
        db.session.commit()
    assert "candidate" in str(refused.value)  # the allowed values are listed
    db.session.rollback()
    assert db.session.execute(db.select(User.id)).first() is None


def test_filtering_on_an_unknown_value_is_refused_rather_than_matching_nothing(app) -> None:
    with pytest.raises(StatementError, match="not a Role"):
        db.session.execute(db.select(User.id).where(User.role == "root")).all()
    db.session.rollback()


def test_a_column_declared_with_the_old_str_annotation_still_reads_and_writes(app) -> None:
    # Models written before the switch say Mapped[str] and pass `.value`: both keep working.
    user = User(email="y@example.com", password_hash="x", role=Role.STAFF.value)
    db.session.add(user)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get_one(User, user.id).role == "staff" == Role.STAFF


def test_the_stage_history_and_decisions_hold_stages(app) -> None:
    decision = Decision(stage="placed", positive=True, components={})
    db.session.add(decision)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get_one(Decision, decision.id).stage is Stage.PLACED
    db.session.add(Decision(stage="hired", positive=True, components={}))
    with pytest.raises(StatementError, match="not a Stage"):
        db.session.commit()
    db.session.rollback()
    for column in (StageChange.from_stage, StageChange.to_stage):
        with pytest.raises(StatementError, match="not a Stage"):
            db.session.execute(db.select(StageChange.id).where(column == "hired")).all()
        db.session.rollback()

"""An opening's life (services.openings.change_status): which moves each status allows, what a
reopen resets, who may move it, and how long it has been open. The clinic's buttons for hold,
reopen and close are covered in tests/clinics/test_manage_openings.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from agency.extensions import db
from agency.models import AuditEvent, OpeningStatus, OutboxMessage, Role, utcnow
from agency.services import openings
from agency.services.openings import OpeningError

S = OpeningStatus


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


@pytest.mark.parametrize(
    ("status", "moves"),
    [
        (S.DRAFT, ["publish", "close"]),
        (S.OPEN, ["hold", "close"]),
        (S.ON_HOLD, ["close", "reopen"]),
        (S.FILLED, ["close", "reopen"]),
        (S.CLOSED, ["reopen"]),
    ],
)
def test_each_status_offers_its_own_moves(app, make_opening, status, moves) -> None:
    assert openings.allowed_actions(make_opening(status=status)) == moves


def test_reopening_a_filled_opening_keeps_its_first_posting_date(app, make_opening, staff) -> None:
    posted = utcnow() - timedelta(days=40)
    opening = make_opening(status=S.FILLED, posted_at=posted, filled_at=utcnow())
    openings.change_status(opening, "reopen", staff)
    db.session.commit()
    db.session.expire_all()
    assert opening.status is S.OPEN
    assert opening.filled_at is None
    assert abs(opening.posted_at - posted) < timedelta(seconds=1)


def test_publishing_tells_staff_once_and_is_audited(app, make_opening, staff) -> None:
    opening = make_opening(status=S.DRAFT, posted_at=None)
    openings.change_status(opening, "publish", staff, ip="198.51.100.4")
    db.session.commit()
    assert opening.posted_at is not None
    keys = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert f"staff:opening-posted:{opening.id}" in keys
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "opening_status_changed")
    ).scalar_one()
    assert event.details == {"from": "draft", "to": "open"}
    assert (event.actor_id, event.object_id) == (staff.id, opening.id)
    # Holding does not announce the opening again.
    openings.change_status(opening, "hold", staff)
    db.session.commit()
    announced = list(db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars())
    assert announced.count(f"staff:opening-posted:{opening.id}") == 1


def test_a_clinic_waiting_for_approval_cannot_move_its_openings(
    app, make_clinic, make_opening, staff
) -> None:
    opening = make_opening(make_clinic(approved=False), status=S.DRAFT)
    with pytest.raises(OpeningError, match="waiting for approval"):
        openings.change_status(opening, "publish", staff)
    assert opening.status is S.DRAFT


def test_a_move_the_status_does_not_allow_is_refused_in_words(app, make_opening, staff) -> None:
    opening = make_opening(status=S.ON_HOLD)
    with pytest.raises(OpeningError, match="An on hold opening cannot be changed that way"):
        openings.change_status(opening, "publish", staff)
    assert db.session.execute(db.select(AuditEvent.id)).first() is None


def test_days_open_counts_to_the_fill_date_or_today(app, make_opening) -> None:
    posted = datetime(2026, 3, 1, 15, 0, tzinfo=utcnow().tzinfo)
    filled = make_opening(posted_at=posted, filled_at=posted + timedelta(days=9))
    running = make_opening(posted_at=posted)
    draft = make_opening(status=S.DRAFT, posted_at=None)
    assert openings.days_open(filled, today=date(2026, 6, 1)) == 9
    assert openings.days_open(running, today=date(2026, 3, 15)) == 14
    assert openings.days_open(running, today=date(2026, 2, 1)) == 0  # never negative
    assert openings.days_open(draft) is None

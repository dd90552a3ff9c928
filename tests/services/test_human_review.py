"""Human review requests (services.human_review): one open request per candidate, staff's queue
order, and a request closes only with a reply the candidate can read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency.extensions import db
from agency.models import AuditEvent, ReviewStatus, Role, utcnow
from agency.services import human_review
from agency.services.human_review import ReviewError


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def _request(candidate, message="Please look again", minutes_ago=0):
    row = human_review.request_review(candidate, message)
    row.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return row


def test_closing_needs_a_reply_and_the_candidate_reads_it(app, make_candidate, staff) -> None:
    row = _request(make_candidate())
    with pytest.raises(ReviewError, match="what the review found"):
        human_review.move(row, ReviewStatus.DONE, staff)
    assert row.status == ReviewStatus.OPEN
    human_review.move(row, "done", staff, reply="We re-read your profile; you now rank third.")
    db.session.commit()
    db.session.expire_all()
    [seen] = human_review.for_candidate(row.candidate_id)
    assert seen.status is ReviewStatus.DONE and not seen.is_open
    assert seen.reply.startswith("We re-read your profile")
    assert seen.handled_by_id == staff.id


def test_a_done_request_stays_done(app, make_candidate, staff) -> None:
    row = _request(make_candidate())
    human_review.move(row, ReviewStatus.DONE, staff, reply="Checked.")
    db.session.commit()
    with pytest.raises(ReviewError, match="already done"):
        human_review.move(row, ReviewStatus.IN_REVIEW, staff)


def test_only_in_review_or_done_are_moves(app, make_candidate, staff) -> None:
    row = _request(make_candidate())
    for bad in ("open", "deleted"):
        with pytest.raises(ReviewError, match="Choose in review or done"):
            human_review.move(row, bad, staff)
    assert row.status == ReviewStatus.OPEN


def test_a_candidate_may_ask_again_once_the_last_request_is_done(
    app, make_candidate, staff
) -> None:
    candidate = make_candidate()
    first = _request(candidate)
    human_review.move(first, ReviewStatus.IN_REVIEW, staff)
    db.session.commit()
    with pytest.raises(ReviewError, match="already have a request waiting"):
        human_review.request_review(candidate, "Again")
    human_review.move(first, ReviewStatus.DONE, staff, reply="Done.")
    db.session.commit()
    second = _request(candidate, "A new question")
    assert [r.id for r in human_review.for_candidate(candidate.id)] == [second.id, first.id]


def test_the_queue_puts_open_requests_first_oldest_first_then_in_review_then_done(
    app, make_candidate, staff
) -> None:
    done = _request(make_candidate(), minutes_ago=90)
    in_review = _request(make_candidate(), minutes_ago=80)
    newer_open = _request(make_candidate(), minutes_ago=10)
    older_open = _request(make_candidate(), minutes_ago=30)
    human_review.move(done, ReviewStatus.DONE, staff, reply="Checked.")
    human_review.move(in_review, ReviewStatus.IN_REVIEW, staff)
    db.session.commit()
    page = human_review.queue(page=1)
    assert [r.id for r in page.items] == [older_open.id, newer_open.id, in_review.id, done.id]
    assert human_review.open_count() == 3  # waiting or in review: still staff's work


def test_every_request_and_move_is_audited(app, make_candidate, staff) -> None:
    row = _request(make_candidate())
    human_review.move(row, ReviewStatus.IN_REVIEW, staff)
    db.session.commit()
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "human_review_request")
    ).scalars()
    assert sorted(actions) == ["human_review_in_review", "human_review_requested"]

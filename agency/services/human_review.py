"""Candidates' requests for a human review instead of the automated ranking, and staff's queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import Candidate, HumanReviewRequest, ReviewStatus, User
from agency.services import audit


class ReviewError(ValueError):
    """A request that cannot be made or moved; the message is for the person who tried."""


def for_candidate(candidate_id: int) -> list[HumanReviewRequest]:
    """The candidate's requests, newest first."""
    return list(
        db.session.execute(
            select(HumanReviewRequest)
            .where(HumanReviewRequest.candidate_id == candidate_id)
            .order_by(HumanReviewRequest.created_at.desc(), HumanReviewRequest.id.desc())
        ).scalars()
    )


def request_review(candidate: Candidate, message: str, ip: str = "") -> HumanReviewRequest:
    """File a request; one open request at a time (a second would only wait in the same queue)."""
    if any(r.is_open for r in for_candidate(candidate.id)):
        raise ReviewError("You already have a request waiting; we will answer it first.")
    row = HumanReviewRequest(candidate_id=candidate.id, message=message)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "human_review_requested",
        actor_id=candidate.user_id,
        object_type="human_review_request",
        object_id=row.id,
        ip=ip,
        candidate_id=candidate.id,
    )
    return row


def queue(page: int, per_page: int = 30) -> Any:
    """Staff's queue: open requests first (oldest first), then the ones in review, then done."""
    order = case(
        (HumanReviewRequest.status == ReviewStatus.OPEN, 0),
        (HumanReviewRequest.status == ReviewStatus.IN_REVIEW, 1),
        else_=2,
    )
    query = (
        select(HumanReviewRequest)
        .options(
            selectinload(HumanReviewRequest.candidate), selectinload(HumanReviewRequest.handled_by)
        )
        .order_by(order, HumanReviewRequest.created_at, HumanReviewRequest.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def open_count() -> int:
    return int(
        db.session.execute(
            select(func.count(HumanReviewRequest.id)).where(
                HumanReviewRequest.status != ReviewStatus.DONE
            )
        ).scalar_one()
    )


def move(row: HumanReviewRequest, status: str, staff: User, reply: str = "", ip: str = "") -> None:
    """Take a request (in review) or close it (done, with a reply the candidate reads). Staged."""
    if status not in (ReviewStatus.IN_REVIEW, ReviewStatus.DONE):
        raise ReviewError("Choose in review or done.")
    if row.status == ReviewStatus.DONE:
        raise ReviewError("This request is already done.")
    if status == ReviewStatus.DONE and not reply:
        raise ReviewError("Tell the candidate what the review found before closing it.")
    row.status = ReviewStatus(status)
    row.handled_by_id = staff.id
    if reply:
        row.reply = reply
    audit.record(
        "human_review_" + status,
        actor_id=staff.id,
        object_type="human_review_request",
        object_id=row.id,
        ip=ip,
        candidate_id=row.candidate_id,
    )

"""The demo agency the page-by-page browser checks walk: every role has data on every page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from agency.extensions import db
from agency.models import (
    Candidate,
    Interview,
    OfferStatus,
    Opening,
    OpeningStatus,
    OutboxMessage,
    ShiftOffer,
    TalentPool,
    Timesheet,
    TimesheetStatus,
    User,
)
from agency.services import (
    accounts,
    delivery,
    demo,
    interviews,
    link_secrets,
    notifications,
    shifts,
    timesheets,
)

LOGINS = {
    "candidate": demo.CANDIDATE_EMAIL,
    "clinic": demo.CLINIC_EMAIL,
    "staff": demo.STAFF_EMAIL,
    "admin": demo.ADMIN_EMAIL,
}


@pytest.fixture
def demo_site(app: Any, make_credential: Any) -> dict[str, str]:
    """A small demo agency, plus the links only e-mails carry."""
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    user = db.session.execute(
        db.select(User).where(User.email == demo.CANDIDATE_EMAIL)
    ).scalar_one()
    candidate = db.session.execute(
        db.select(Candidate).where(Candidate.user_id == user.id)
    ).scalar_one()
    # A credential with a document: the widest row of the candidate's credentials table.
    make_credential(
        candidate,
        "CMAA",
        document_path="missing.pdf",
        document_filename="certified-medical-administrative-assistant-2026.pdf",
    )
    # One e-mail sent (written to the mail folder, as with no SMTP server): the staff's sent-mail
    # pages then have a message to show, its text as wide as e-mails are.
    first_mail = db.session.execute(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.kind == "email")
        .order_by(OutboxMessage.id)
        .limit(1)
    ).scalar_one()
    assert delivery.deliver(first_mail)
    proposed = db.session.execute(
        db.select(Interview).where(Interview.status == "proposed")
    ).scalar_one()
    choose = interviews.pick_url(proposed, proposed.slots[0])
    pool = db.session.execute(db.select(TalentPool)).scalars().first()
    opening = (
        db.session.execute(
            db.select(Opening).where(Opening.status == OpeningStatus.OPEN).order_by(Opening.id)
        )
        .scalars()
        .first()
    )
    assert pool is not None and opening is not None
    # The pages a person reaches from an e-mail on their phone: the invitation to claim a
    # staff-entered record, a shift offer, a clinic manager's timesheet review.
    accounts.invite_to_claim(candidate)
    invitation = (
        db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("account-claim:%"))
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    assert invitation is not None
    claim = link_secrets.open_context(invitation.payload["context"])["claim_url"]
    offer = (
        db.session.execute(db.select(ShiftOffer).where(ShiftOffer.status == OfferStatus.PENDING))
        .scalars()
        .first()
    )
    sheet = (
        db.session.execute(
            db.select(Timesheet).where(Timesheet.status == TimesheetStatus.SUBMITTED)
        )
        .scalars()
        .first()
    )
    assert offer is not None and sheet is not None
    manager = notifications.clinic_managers(sheet.clinic_id)[0]
    db.session.commit()
    return {
        "claim": urlsplit(claim).path,
        "shift_offer": f"/shifts/offer/{shifts.offer_token(offer)}",
        "timesheet_review": f"/timesheets/review/{timesheets.review_token(sheet, manager)}",
        "pool_ranking": f"/staff/pools/{pool.id}/openings/{opening.id}",
        "unsubscribe": f"/unsubscribe/{notifications.unsubscribe_token(user.id, 'all')}",
        "interview_choice": "/interviews/choose/" + choose.rsplit("/", 1)[1],
    }


def log_in(page: Any, role: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(LOGINS[role])
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/(me|clinic/|staff/)$"))

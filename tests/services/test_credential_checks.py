"""Credential checks (services.credential_checks): the queue staff work through and what a
check records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency.extensions import db
from agency.models import AuditEvent, CandidateStatus, Role, VerificationStatus, utcnow
from agency.services import credential_checks


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def _pending(make_credential, candidate, code, hours_ago):
    credential = make_credential(candidate, code, verification_status=VerificationStatus.PENDING)
    credential.created_at = utcnow() - timedelta(hours=hours_ago)
    db.session.commit()
    return credential


def test_the_queue_holds_only_unchecked_credentials_oldest_first(
    app, make_candidate, make_credential
) -> None:
    person = make_candidate()
    newer = _pending(make_credential, person, "CMAA", hours_ago=1)
    older = _pending(make_credential, make_candidate(), "CPC", hours_ago=30)
    make_credential(person, "RHIT")  # already verified
    make_credential(person, "CCS", verification_status=VerificationStatus.REJECTED)
    page = credential_checks.awaiting(page=1)
    assert [c.id for c in page.items] == [older.id, newer.id]


def test_an_erased_persons_documents_leave_the_queue(app, make_candidate, make_credential) -> None:
    gone = make_candidate()
    _pending(make_credential, gone, "CPC", hours_ago=2)
    kept = _pending(make_credential, make_candidate(), "CPC", hours_ago=1)
    gone.status = CandidateStatus.ERASED
    db.session.commit()
    assert [c.id for c in credential_checks.awaiting(page=1).items] == [kept.id]


def test_a_check_records_who_when_and_the_change_and_refreshes_the_candidate(
    app, make_candidate, make_credential, staff
) -> None:
    person = make_candidate()
    person.updated_at = utcnow() - timedelta(days=3)
    credential = _pending(make_credential, person, "CPC", hours_ago=5)
    credential_checks.record_check(credential, "rejected", staff, ip="203.0.113.9")
    db.session.commit()
    db.session.expire_all()
    assert credential.verification_status is VerificationStatus.REJECTED
    assert credential.verified_by_id == staff.id
    assert utcnow() - credential.verified_at < timedelta(minutes=1)
    # The next ranking sees the change: the candidate counts as edited.
    assert utcnow() - credential.candidate.updated_at < timedelta(minutes=1)
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.object_id == credential.id)
    ).scalar_one()
    assert event.action == "credential_rejected"
    assert event.details == {
        "candidate_id": person.id,
        "code": "CPC",
        "from": "pending",
        "to": "rejected",
    }
    assert (event.actor_id, event.candidate_id, event.ip) == (staff.id, person.id, "203.0.113.9")


def test_an_unknown_outcome_changes_nothing(app, make_candidate, make_credential, staff) -> None:
    credential = _pending(make_credential, make_candidate(), "CPC", hours_ago=1)
    for outcome in ("pending", "bribed"):
        with pytest.raises(ValueError, match="Unknown outcome"):
            credential_checks.record_check(credential, outcome, staff)
    assert credential.verification_status is VerificationStatus.PENDING
    assert credential.verified_by_id is None
    assert db.session.execute(db.select(AuditEvent.id)).first() is None

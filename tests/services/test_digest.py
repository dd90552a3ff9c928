"""The daily staff digest's counts (services.digest): the day's window, credentials about to
expire, messages that are failing. Labels and sending are covered in test_staff_summaries.py and
tests/workers/test_jobs.py."""

from __future__ import annotations

from datetime import timedelta

from agency.extensions import db
from agency.models import CandidateStatus, OutboxMessage, OutboxStatus, StageChange, utcnow
from agency.services import digest


def test_the_digest_reports_only_the_day_before_it(
    app, make_candidate, make_opening, make_application
) -> None:
    opening = make_opening()
    make_application(make_candidate(first_name="Ana", last_name="Recent"), opening)
    older = make_application(make_candidate(first_name="Bo", last_name="Older"), opening)
    db.session.execute(
        db.update(StageChange)
        .where(StageChange.application_id == older.id)
        .values(created_at=utcnow() - timedelta(days=3))
    )
    db.session.commit()
    context = digest.digest_context(utcnow().date() + timedelta(days=1))
    assert [a["candidate"] for a in context["new_applications"]] == ["Ana Recent"]


def test_expiring_credentials_count_the_next_30_days_of_people_still_with_us(
    app, make_candidate, make_credential
) -> None:
    today = utcnow().date()
    person = make_candidate()
    for code, days in (("A", 0), ("B", 1), ("C", digest.EXPIRING_DAYS), ("D", 31), ("E", -5)):
        make_credential(person, code, expires_on=today + timedelta(days=days))
    erased = make_candidate(status=CandidateStatus.ERASED)
    make_credential(erased, "B", expires_on=today + timedelta(days=3))
    # Expiring tomorrow and on the 30th day count; today (already out), later and past do not.
    assert digest.digest_context(today)["expiring_credentials"] == 2


def test_failing_messages_are_dead_ones_and_pending_ones_that_were_tried(app) -> None:
    for key, status, attempts in (
        ("dead", OutboxStatus.DEAD, 5),
        ("retrying", OutboxStatus.PENDING, 2),
        ("fresh", OutboxStatus.PENDING, 0),
        ("sent", OutboxStatus.SENT, 1),
    ):
        db.session.add(
            OutboxMessage(
                kind="email",
                dedupe_key=key,
                status=status,
                attempts=attempts,
                next_attempt_at=utcnow() + timedelta(days=1),  # no sweep picks them up
            )
        )
    db.session.commit()
    assert digest.digest_context(utcnow().date())["failed_messages"] == 2

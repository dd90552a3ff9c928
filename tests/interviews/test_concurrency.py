"""Two picks at the same moment on PostgreSQL: exactly one books, the other is told the time is
gone. Real concurrent transactions on separate connections, not a simulation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from agency.extensions import db
from agency.models import Interview, InterviewSlot, InterviewStatus, SlotStatus
from agency.services import interviews
from agency.services.interviews import SlotGone
from tests.concurrency import waiting_on_locks
from tests.interviews.conftest import Scene, propose

# Concurrent transactions on their own connections must see each other's commits.
pytestmark = pytest.mark.commits


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises every writer)")


def _book_in_own_transaction(
    app: Flask, interview_id: int, slot_id: int, result: dict[str, str], before_commit: Any = None
) -> None:
    with app.app_context():
        try:
            interview = db.session.get(Interview, interview_id)
            assert interview is not None
            interviews.book(interview, slot_id, interview.application.candidate.user)
            if before_commit is not None:
                before_commit()
            db.session.commit()
            result[str(slot_id)] = "booked"
        except SlotGone:
            db.session.rollback()
            result[str(slot_id)] = "gone"
        except Exception as exc:  # reported to the test, which fails on it
            db.session.rollback()
            result[str(slot_id)] = f"error: {exc!r}"
        finally:
            db.session.remove()


def test_the_second_pick_waits_for_the_first_and_finds_it_gone(
    app: Flask, scene: Scene, postgres_only: None
) -> None:
    interview = propose(scene, 48, 72)
    first, second = (s.id for s in interview.slots)
    interview_id = interview.id
    db.session.commit()
    db.session.remove()
    result: dict[str, str] = {}
    b_waiting = threading.Event()

    def hold_until_b_waits() -> None:
        # A has claimed the interview but not committed; B starts and must block on A's lock.
        thread_b.start()
        b_waiting.wait(timeout=30)

    def lock_waiters() -> int:
        with db.engine.connect() as conn:
            return waiting_on_locks(conn)

    thread_b = threading.Thread(
        target=_book_in_own_transaction, args=(app, interview_id, second, result)
    )
    thread_a = threading.Thread(
        target=_book_in_own_transaction,
        args=(app, interview_id, first, result, hold_until_b_waits),
    )
    thread_a.start()
    wait_for(lambda: thread_b.is_alive() and lock_waiters() >= 1, 30, "B to wait on A's lock")
    b_waiting.set()
    thread_a.join(30)
    thread_b.join(30)
    assert result == {str(first): "booked", str(second): "gone"}
    booked = db.session.execute(db.select(Interview).where(Interview.id == interview_id))
    found = booked.scalar_one()
    assert found.status == InterviewStatus.SCHEDULED
    slots = db.session.execute(
        db.select(InterviewSlot).where(InterviewSlot.interview_id == interview_id)
    ).scalars()
    assert {s.id: s.status for s in slots} == {
        first: SlotStatus.BOOKED,
        second: SlotStatus.RELEASED,
    }
    assert found.starts_at == db.session.get(InterviewSlot, first).starts_at


def test_many_simultaneous_requests_book_exactly_one(
    app: Flask, scene: Scene, postgres_only: None
) -> None:
    """Real HTTP requests from the candidate's page, all released at once."""
    interview = propose(scene, 30, 48, 72, 96, 120)
    slot_ids = [s.id for s in interview.slots]
    interview_id = interview.id
    email = scene.candidate_user.email
    db.session.remove()
    clients = []
    for _ in range(len(slot_ids) * 2):
        client = app.test_client()
        client.post("/login", data={"email": email, "password": "correct horse battery staple"})
        clients.append(client)
    start = threading.Barrier(len(clients))
    codes: list[int] = []

    def pick(client: Any, slot_id: int) -> None:
        start.wait(timeout=30)
        response = client.post(f"/me/interviews/{interview_id}/pick", data={"slot_id": slot_id})
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=pick, args=(c, slot_ids[i % len(slot_ids)]))
        for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [302] * len(clients)  # every request answered, none failed
    slots = db.session.execute(
        db.select(InterviewSlot).where(InterviewSlot.interview_id == interview_id)
    ).scalars()
    statuses = sorted(s.status for s in slots)
    assert statuses == ["booked"] + ["released"] * (len(slot_ids) - 1)
    mails = db.session.execute(
        text(
            "SELECT count(*) FROM outbox_messages WHERE payload::text LIKE '%interview_scheduled%'"
        )
    ).scalar_one()
    assert mails == 3  # one booking's invitations: candidate, clinic, recruiter

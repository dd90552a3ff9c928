"""A candidate import checks the next batch of rows while it writes the current one, and the
outcome is the one the rows would get one batch after the other."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from agency.extensions import db
from agency.models import AuthToken, Candidate, OutboxMessage, Role, User
from agency.services import import_people, imports
from tests.staff.import_helpers import csv_bytes, import_file
from tests.staff.test_import import HEADER, good

# Long enough for a thread to check a row on any machine; the test waits this only when the
# checks do not overlap the writes (the bug).
WAIT_SECONDS = 10


def test_the_next_batch_is_checked_while_this_one_is_written(
    client: Any, staff: User, taxonomy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    rows = [HEADER] + [good(f"P{i}", f"p{i}@example.com") for i in range(5)]
    rows.append(good("Again", "p1@example.com"))  # row 7: the same e-mail as row 3
    third_batch_checked = threading.Event()
    factory = imports._CHECKERS["candidates"]

    def recording_factory() -> imports.RowChecker:
        check = factory()

        def checker(values: dict[str, str]) -> Any:
            if values["email"] == "p4@example.com":  # row 6: the third batch
                third_batch_checked.set()
            return check(values)

        return checker

    write = imports._write_candidates
    overlapped: list[bool] = []

    def writer(state: Any, good_rows: list[tuple[int, dict[str, Any]]]) -> None:
        if good_rows and good_rows[0][0] == 4:  # the second batch (rows 4 and 5)
            overlapped.append(third_batch_checked.wait(WAIT_SECONDS))
        write(state, good_rows)

    monkeypatch.setitem(imports._CHECKERS, "candidates", recording_factory)
    monkeypatch.setattr(imports, "_write_candidates", writer)
    job = import_file(client, csv_bytes(rows), "people.csv")
    assert overlapped == [True]
    assert (job.created_count, job.error_count, job.rows_done) == (5, 1, 6)
    names = db.session.execute(
        db.select(Candidate.first_name).where(Candidate.last_name == "Import")
    ).scalars()
    assert sorted(names) == [f"P{i}" for i in range(5)]


def test_after_a_batch_already_on_file_the_invitations_are_drafted_while_writing(
    client: Any, staff: User, make_user: Any, taxonomy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose people are mostly on file (a re-import) stops the checking thread drafting
    invitations, which would be thrown away; a new person after it is still invited, once,
    with a link that opens their record."""
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    for i in range(4):
        make_user(Role.CANDIDATE, email=f"p{i}@example.com")
    rows = [HEADER] + [good(f"P{i}", f"p{i}@example.com") for i in range(8)]
    drafted_ahead: list[bool] = []
    ready = import_people.ready

    def recording_ready(good_rows: Any, **kwargs: Any) -> Any:
        drafted_ahead.append(kwargs["invitations"])
        return ready(good_rows, **kwargs)

    monkeypatch.setattr(import_people, "ready", recording_ready)
    job = import_file(client, csv_bytes(rows), "people.csv")
    assert (job.created_count, job.existing_count) == (4, 4)
    # Batch 3 is checked while batch 2 is written: batch 1, all on file, has switched it off.
    assert drafted_ahead[0] is True and False in drafted_ahead
    mails = db.session.execute(
        db.select(OutboxMessage.payload).where(
            OutboxMessage.payload["template"].as_string() == "account_invitation"
        )
    ).scalars()
    invited = sorted(payload["to"] for payload in mails)
    assert invited == [f"p{i}@example.com" for i in range(4, 8)]
    tokens = db.session.execute(db.select(AuthToken.user_id)).scalars()
    fresh = db.session.execute(db.select(User.id).where(User.email.in_(invited))).scalars()
    assert sorted(tokens) == sorted(fresh)

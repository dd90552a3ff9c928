"""Outbox rows reach the broker right after the commit that wrote them: those of the ORM, those
written in bulk, and a staff retry; a commit that wrote none hands over nothing."""

from __future__ import annotations

from flask import Flask

from agency.extensions import db
from agency.models import OutboxMessage
from agency.services import outbox


def test_a_commit_hands_over_exactly_the_messages_it_wrote(app: Flask) -> None:
    app.config["OUTBOX_ENQUEUE_AFTER_COMMIT"] = True
    handed: list[list[int]] = []
    outbox.set_enqueuer(app, handed.append)

    db.session.commit()  # nothing staged: nothing handed over
    first = outbox.add("notify_staff", {"n": 1}, "handoff-1")
    assert first is not None
    db.session.commit()
    bulk = outbox.add_bulk(
        "email", [(outbox.email_payload("welcome", "a@example.com", {}), "handoff-bulk")]
    )
    db.session.commit()
    dropped = outbox.add("notify_staff", {"n": 2}, "handoff-2")
    db.session.rollback()  # rolled back: never handed over
    db.session.commit()
    retried = db.session.get(OutboxMessage, first.id)
    assert retried is not None and dropped is not None
    outbox.enqueue_after_commit(retried)
    db.session.commit()

    assert handed == [[first.id], sorted(bulk), [first.id]]

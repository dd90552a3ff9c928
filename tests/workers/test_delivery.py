"""Delivery against a real SMTP server, run in the test process: claims, retries, dead, sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency.extensions import db
from agency.models import OutboxStatus, utcnow
from agency.services import delivery, mail, notifications
from tests.workers.conftest import SmtpServer
from tests.workers.helpers import message, stage_email


def test_a_rolled_back_transaction_leaves_nothing_to_send(app, smtp: SmtpServer) -> None:
    stage_email("rolled-back")
    db.session.rollback()
    assert delivery.sweep() == []
    assert smtp.sink.tries == {}


def test_a_message_is_sent_once_however_often_it_is_delivered(app, smtp: SmtpServer) -> None:
    stage_email("once")
    db.session.commit()
    row_id = message("once").id
    assert delivery.deliver(row_id) is True
    assert delivery.deliver(row_id) is False
    assert smtp.sink.keys() == {"once": 1}
    sent = message("once")
    assert sent.status == OutboxStatus.SENT and sent.attempts == 1
    msg = smtp.sink.accepted[0]
    assert msg["Message-ID"] == mail.message_id("once")  # stable: receivers can drop a copy
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None


def test_the_same_dedupe_key_stages_one_message(app) -> None:
    stage_email("dup")
    stage_email("dup")
    db.session.commit()
    stage_email("dup")
    db.session.commit()
    assert message("dup").id


def test_smtp_down_is_retried_with_backoff_then_delivered(app, smtp: SmtpServer) -> None:
    stage_email("down")
    db.session.commit()
    row_id = message("down").id
    smtp.stop()
    waits = []
    for attempt in (1, 2, 3):
        before = utcnow()
        assert delivery.deliver(row_id) is False
        row = message("down")
        assert row.status == OutboxStatus.PENDING and row.attempts == attempt
        assert "ConnectionRefusedError" in row.last_error
        waits.append((row.next_attempt_at - before).total_seconds())
        # Not due yet: a stray task before the backoff ends does nothing.
        assert delivery.deliver(row_id) is False
        row.next_attempt_at = utcnow()
        db.session.commit()
    # 1 s growing to 8 s in these tests (30 s to 2 h in production).
    expected = [delivery.backoff(n).total_seconds() for n in (1, 2, 3)]
    assert expected[0] == 1 and expected[0] < expected[1] < expected[2]
    assert waits == pytest.approx(expected, abs=0.5)
    smtp.start()
    assert delivery.deliver(row_id) is True
    assert smtp.sink.keys() == {"down": 1}


def test_production_backoff_runs_from_30_seconds_to_2_hours(app) -> None:
    app.config.update(OUTBOX_RETRY_BASE_SECONDS=30, OUTBOX_RETRY_MAX_SECONDS=7200)
    waits = [delivery.backoff(n).total_seconds() for n in range(1, delivery.MAX_ATTEMPTS)]
    assert waits[0] == 30
    assert waits[-1] == pytest.approx(7200)  # the wait before the eighth and last attempt
    assert waits == sorted(waits)
    assert delivery.backoff(20) == timedelta(hours=2)


def test_a_message_dies_after_eight_attempts(app, smtp: SmtpServer) -> None:
    stage_email("hopeless")
    db.session.commit()
    row_id = message("hopeless").id
    smtp.sink.reply = "451 4.3.0 try later"
    for _ in range(delivery.MAX_ATTEMPTS):
        row = message("hopeless")
        row.next_attempt_at = utcnow()
        db.session.commit()
        delivery.deliver(row_id)
    row = message("hopeless")
    assert row.status == OutboxStatus.DEAD and row.attempts == 8
    assert "451" in row.last_error


def test_a_permanent_rejection_is_dead_at_once(app, smtp: SmtpServer) -> None:
    stage_email("rejected")
    db.session.commit()
    smtp.sink.reply = "550 5.1.1 no such user"
    assert delivery.deliver(message("rejected").id) is False
    row = message("rejected")
    assert row.status == OutboxStatus.DEAD and row.attempts == 1
    assert "550" in row.last_error and "no such user" in row.last_error


def test_a_claim_whose_worker_died_is_taken_over_and_the_late_worker_cannot_finish(
    app, smtp: SmtpServer
) -> None:
    stage_email("lease")
    db.session.commit()
    row_id = message("lease").id
    first = delivery.claim(row_id)
    assert first is not None and delivery.claim(row_id) is None  # held
    row = message("lease")
    row.locked_until = utcnow() - timedelta(seconds=1)  # the lease ran out
    db.session.commit()
    assert delivery.deliver(row_id) is True
    assert delivery._finish(first, "") is False  # the first claimer's write is fenced off
    row = message("lease")
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert smtp.sink.keys() == {"lease": 1}


def test_sweep_skips_fresh_messages_and_does_not_repeat_itself(app) -> None:
    stage_email("fresh")
    stage_email("stale")
    db.session.commit()
    stale = message("stale")
    stale.created_at = stale.next_attempt_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert delivery.sweep() == [stale.id]
    assert delivery.sweep() == []  # already handed to the broker


def test_mail_to_a_user_who_opted_out_since_is_skipped(app, smtp: SmtpServer, make_user) -> None:
    user = make_user()
    notifications.email_user(user, "password_reset", {"reset_url": "x", "minutes": 1}, "opt")
    db.session.commit()
    user.email_notifications = False
    db.session.commit()
    row = message(f"opt:u{user.id}")
    assert delivery.deliver(row.id) is True
    assert smtp.sink.tries == {}
    assert message(f"opt:u{user.id}").last_error.startswith("skipped")

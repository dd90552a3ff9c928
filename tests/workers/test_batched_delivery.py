"""Delivery in batches over one SMTP connection, run in the test process against a real server."""

from __future__ import annotations

from agency.extensions import db
from agency.models import OutboxStatus
from agency.services import delivery, mail, outbox
from tests.workers.conftest import SmtpServer
from tests.workers.helpers import all_messages, message, stage_email


def stage(keys: list[str]) -> list[int]:
    for key in keys:
        stage_email(key)
    db.session.commit()
    return [message(key).id for key in keys]


def connections(smtp: SmtpServer, keys: list[str]) -> set[object]:
    return {peer for key in keys for peer in smtp.sink.peers[key]}


def test_a_batch_goes_over_one_connection_and_each_message_is_marked_once(
    app, smtp: SmtpServer
) -> None:
    mail.close_connection()
    keys = [f"batch-{n}" for n in range(5)]
    ids = stage(keys)
    assert delivery.deliver_many(ids) == []
    assert smtp.sink.keys() == dict.fromkeys(keys, 1)
    assert len(connections(smtp, keys)) == 1
    assert {(m.status, m.attempts) for m in all_messages()} == {(OutboxStatus.SENT, 1)}
    assert delivery.deliver_many(ids) == []  # a repeated task finds nothing left to do
    assert sum(smtp.sink.tries.values()) == 5


def test_the_connection_is_kept_between_tasks_and_capped(app, smtp: SmtpServer) -> None:
    mail.close_connection()
    app.config["MAIL_MAX_PER_CONNECTION"] = 2
    keys = [f"capped-{n}" for n in range(5)]
    for row_id in stage(keys):
        assert delivery.deliver(row_id) is True
    # Five single deliveries on three connections: two, two, one.
    assert len(connections(smtp, keys)) == 3
    assert smtp.sink.keys() == dict.fromkeys(keys, 1)


def test_a_connection_the_server_dropped_is_replaced_without_a_failed_attempt(
    app, smtp: SmtpServer
) -> None:
    mail.close_connection()
    first, second = stage(["before-drop", "after-drop"])
    assert delivery.deliver(first) is True
    smtp.stop()  # the server goes away and comes back: our open connection is dead
    smtp.start()
    assert delivery.deliver(second) is True
    row = message("after-drop")
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.last_error == ""
    assert connections(smtp, ["before-drop"]) != connections(smtp, ["after-drop"])
    assert smtp.sink.keys() == {"before-drop": 1, "after-drop": 1}


def test_a_batch_fills_up_with_other_due_email_but_not_with_slow_kinds(
    app, smtp: SmtpServer
) -> None:
    app.config["OUTBOX_BATCH_SIZE"] = 4
    ids = stage([f"fill-{n}" for n in range(6)])
    outbox.add("rescore_candidate", {"candidate_id": 1}, "slow-kind")
    db.session.commit()
    # Handed one message, the worker takes three more due e-mails along, oldest first.
    assert delivery.deliver_many([ids[0]]) == []
    assert smtp.sink.keys() == {f"fill-{n}": 1 for n in range(4)}
    assert message("slow-kind").status == OutboxStatus.PENDING
    assert message("fill-4").status == OutboxStatus.PENDING


def test_a_batch_out_of_time_hands_back_the_unattempted_rest(app, smtp: SmtpServer) -> None:
    app.config["OUTBOX_BATCH_SECONDS"] = 0
    ids = stage(["late-0", "late-1", "late-2"])
    assert delivery.deliver_many(ids) == ids[1:]
    assert smtp.sink.keys() == {"late-0": 1}
    for key in ("late-1", "late-2"):
        row = message(key)  # back to pending, due now, no attempt counted
        assert (row.status, row.attempts, row.locked_until) == (OutboxStatus.PENDING, 0, None)
    assert delivery.deliver_many(ids[1:]) == [ids[2]]
    assert smtp.sink.keys() == {"late-0": 1, "late-1": 1}


def test_a_failure_in_a_batch_retries_that_message_only(app, smtp: SmtpServer) -> None:
    ids = stage(["ok-0", "refused", "ok-1"])
    smtp.sink.replies["refused"] = "451 4.3.0 try again later"
    assert delivery.deliver_many(ids) == []
    assert smtp.sink.keys() == {"ok-0": 1, "ok-1": 1}
    row = message("refused")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "451" in row.last_error


def test_email_many_stages_each_key_once(app) -> None:
    stage_email("bc-1")
    db.session.commit()
    recipients = [
        (f"p{n}@example.com", {"reset_url": "http://x/r", "minutes": 60}, f"bc-{n}")
        for n in (0, 1, 2, 2)
    ]
    added = outbox.email_many("password_reset", recipients, essential=True)
    db.session.commit()
    assert sorted(m.dedupe_key for m in added) == ["bc-0", "bc-2"]
    assert sorted(m.dedupe_key for m in all_messages()) == ["bc-0", "bc-1", "bc-2"]


def test_a_composed_message_keeps_non_ascii_names_and_both_parts(app, smtp: SmtpServer) -> None:
    outbox.email(
        "password_reset",
        "José Núñez <jose@example.com>",
        {"reset_url": "http://127.0.0.1:5000/reset/ü", "minutes": 60},
        "accents",
        essential=True,
    )
    db.session.commit()
    assert delivery.deliver(message("accents").id) is True
    (msg,) = smtp.sink.accepted
    assert str(msg["To"]) == "José Núñez <jose@example.com>"
    assert msg["Message-ID"] == mail.message_id("accents")
    assert "/reset/ü" in msg.get_body(("plain",)).get_content()
    assert "/reset/ü" in msg.get_body(("html",)).get_content()


def test_a_line_break_in_an_address_is_dead_at_once(app, smtp: SmtpServer) -> None:
    outbox.email(
        "password_reset", "a@example.com\r\nBcc: b@example.com", {}, "inject", essential=True
    )
    db.session.commit()
    assert delivery.deliver(message("inject").id) is False
    assert message("inject").status == OutboxStatus.DEAD
    assert smtp.sink.tries == {}

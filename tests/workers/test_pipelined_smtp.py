"""Sending with PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write, against a real server.

A refusal before the message text means the server took nothing: the message is retried or dead
by the reply's code, and the next message goes out (on a fresh connection, as after any refusal).
"""

from __future__ import annotations

import pytest

from agency.extensions import db
from agency.models import OutboxStatus
from agency.services import delivery, mail
from tests.workers.conftest import SmtpServer
from tests.workers.helpers import message, stage_email


def stage(pairs: list[tuple[str, str]]) -> list[int]:
    for key, to in pairs:
        stage_email(key, to=to)
    db.session.commit()
    return [message(key).id for key, _ in pairs]


def connections(smtp: SmtpServer, keys: list[str]) -> set[object]:
    return {peer for key in keys for peer in smtp.sink.peers[key]}


@pytest.mark.parametrize("code", ["550 5.1.1 no such user", "451 4.2.1 mailbox busy"])
def test_a_recipient_refused_before_the_text_fails_that_message_only(
    app, smtp: SmtpServer, code: str
) -> None:
    mail.close_connection()
    smtp.sink.rcpt_replies["gone@example.com"] = code
    gone = ("p-gone", "gone@example.com")
    ids = stage([("p-0", "a@example.com"), gone, ("p-1", "b@example.com")])
    assert delivery.deliver_many(ids) == []
    assert smtp.sink.keys() == {"p-0": 1, "p-1": 1}
    assert "p-gone" not in smtp.sink.tries  # the text was never sent
    row = message("p-gone")
    expected = OutboxStatus.DEAD if code.startswith("5") else OutboxStatus.PENDING
    assert row.status == expected and row.attempts == 1
    assert code.split()[0] in row.last_error


def test_a_sender_refused_is_retried_and_the_next_message_goes_out(app, smtp: SmtpServer) -> None:
    mail.close_connection()
    ids = stage([("s-0", "a@example.com"), ("s-1", "b@example.com")])
    smtp.sink.mail_replies.append("451 4.3.2 not now")
    assert delivery.deliver_many(ids) == []
    assert smtp.sink.keys() == {"s-1": 1}
    row = message("s-0")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and "451" in row.last_error


def test_a_421_before_the_text_on_a_used_connection_reconnects_without_a_failed_attempt(
    app, smtp: SmtpServer
) -> None:
    mail.close_connection()
    first, second = stage([("c-0", "a@example.com"), ("c-1", "b@example.com")])
    assert delivery.deliver(first) is True
    smtp.sink.mail_replies.append("421 4.4.2 idle too long, closing")
    assert delivery.deliver(second) is True
    row = message("c-1")
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.last_error == ""
    assert smtp.sink.keys() == {"c-0": 1, "c-1": 1}
    assert connections(smtp, ["c-0"]) != connections(smtp, ["c-1"])


def test_a_server_without_pipelining_gets_the_same_messages(app, smtp: SmtpServer) -> None:
    mail.close_connection()
    smtp.sink.pipelining = False
    ids = stage([(f"np-{n}", f"p{n}@example.com") for n in range(3)])
    assert delivery.deliver_many(ids) == []
    assert smtp.sink.keys() == {f"np-{n}": 1 for n in range(3)}
    assert {m["Message-ID"] for m in smtp.sink.accepted} == {
        mail.message_id(f"np-{n}") for n in range(3)
    }

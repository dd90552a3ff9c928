"""Sending with PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write, against a real server;
in a batch, each message's text in the same write as the next one's MAIL, RCPT and DATA.

A refusal before the message text means the server took nothing: the message is retried or dead
by the reply's code, and the next message goes out (on a fresh connection, as after any refusal).
"""

from __future__ import annotations

import select
import socket
import threading

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


class TurnCounter:
    """A TCP relay in front of the sink that counts the client's turns: its writes that come
    after the server said something, i.e. the round trips it waited for."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.turns = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        answered = False
        with client, server:
            while True:
                readable, _, _ = select.select([client, server], [], [])
                for sock in readable:
                    data = sock.recv(1 << 20)
                    if not data:
                        return
                    if sock is client:
                        if answered:
                            self.turns += 1
                        answered = False
                        server.sendall(data)
                    else:
                        answered = True
                        client.sendall(data)

    def close(self) -> None:
        self.listener.close()


def test_a_batch_costs_one_round_trip_a_message(app, smtp: SmtpServer) -> None:
    mail.close_connection()
    relay = TurnCounter(smtp.port)
    app.config["MAIL_PORT"] = relay.port
    try:
        keys = [f"rt-{n}" for n in range(10)]
        assert delivery.deliver_many(stage([(key, f"{key}@example.com") for key in keys])) == []
        # EHLO; the first MAIL, RCPT and DATA; each text with the next message's three; the
        # last text on its own. Sent one at a time it was two a message (envelope, then text).
        assert relay.turns == 2 + len(keys)
    finally:
        mail.close_connection()
        relay.close()
    assert smtp.sink.keys() == dict.fromkeys(keys, 1)
    assert len(connections(smtp, keys)) == 1
    assert {(message(key).status, message(key).attempts) for key in keys} == {
        (OutboxStatus.SENT, 1)
    }


def test_a_connection_lost_before_a_texts_reply_retries_that_one_and_sends_the_next(
    app, smtp: SmtpServer
) -> None:
    mail.close_connection()
    keys = [f"d-{n}" for n in range(4)]
    smtp.sink.drop_key = "d-1"  # its text came in, then the connection was cut: no reply
    assert delivery.deliver_many(stage([(key, f"{key}@example.com") for key in keys])) == []
    assert smtp.sink.keys() == {"d-0": 1, "d-2": 1, "d-3": 1}
    row = message("d-1")  # the server may have taken it: an ordinary retry, same Message-ID
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    # d-2's envelope went out with d-1's text: it was sent again on a new connection, no
    # attempt counted.
    for key in ("d-0", "d-2", "d-3"):
        row = message(key)
        assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")
    assert connections(smtp, ["d-0"]) != connections(smtp, ["d-2"])


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

"""Webhooks delivered through the outbox to a real HTTP receiver on 127.0.0.1: signed, logged
with the response code, retried with backoff, turned off with an e-mail after failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import (
    OutboxMessage,
    OutboxStatus,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from agency.services import delivery, pipeline, webhooks


class Receiver:
    """An HTTP server that records each request and answers with the next queued status."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WEBHOOK_DISABLE_AFTER"] = 2
    # The receiver listens on 127.0.0.1, which production refuses (see the last test).
    app_config["WEBHOOK_ALLOW_PRIVATE"] = True
    return app_config


def _webhook_rows() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.kind == "webhook")
            .order_by(OutboxMessage.id)
        )
    )


def _submit(make_user: Any, make_candidate: Any, make_application: Any, opening: Any) -> Any:
    application = make_application(make_candidate(), opening, stage="shortlisted")
    pipeline.move(application, "submitted", make_user(Role.STAFF))
    db.session.commit()
    return application


def test_signed_events_reach_the_clinic_and_are_logged(
    app: Flask,
    receiver: Receiver,
    make_clinic: Any,
    make_opening: Any,
    make_user: Any,
    make_candidate: Any,
    make_application: Any,
    taxonomy: Any,
) -> None:
    clinic, other = make_clinic(), make_clinic()
    endpoint = webhooks.register(clinic.members[0], receiver.url, list(webhooks.EVENTS))
    webhooks.register(other.members[0], receiver.url + "/other", list(webhooks.EVENTS))
    db.session.commit()
    secret = endpoint.secret
    application = _submit(make_user, make_candidate, make_application, make_opening(clinic))
    rows = _webhook_rows()
    # Two events for the submitting clinic's endpoint, none for the other clinic's.
    assert len(rows) == 2
    for row in rows:
        assert delivery.deliver(row.id) is True
    assert {h["Clinicmatch-Event"] for h, _b in receiver.requests} == set(webhooks.EVENTS)
    for headers, body in receiver.requests:
        assert webhooks.verify(secret, headers["Clinicmatch-Signature"], body)
        assert not webhooks.verify("wrong-secret", headers["Clinicmatch-Signature"], body)
        event = json.loads(body)
        assert event["data"]["application_id"] == application.id
        assert event["data"]["to_stage"] == "submitted"
    log = db.session.scalars(db.select(WebhookDelivery)).all()
    assert [d.status_code for d in log] == [200, 200]


def test_failures_retry_with_backoff_then_turn_the_webhook_off(
    app: Flask,
    receiver: Receiver,
    make_clinic: Any,
    make_opening: Any,
    make_user: Any,
    make_candidate: Any,
    make_application: Any,
    taxonomy: Any,
) -> None:
    clinic = make_clinic()
    owner = clinic.members[0]
    webhooks.register(owner, receiver.url, [webhooks.SUBMITTAL_CREATED])
    db.session.commit()
    _submit(make_user, make_candidate, make_application, make_opening(clinic))
    (row,) = _webhook_rows()
    receiver.statuses = [500, 503]
    before = utcnow()
    assert delivery.deliver(row.id) is False
    db.session.refresh(row)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at > before  # backoff: not due again at once
    assert delivery.deliver(row.id) is False  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    row.next_attempt_at = utcnow()
    db.session.commit()
    assert delivery.deliver(row.id) is False
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    assert endpoint.active is False and endpoint.disabled_at is not None
    codes = [d.status_code for d in db.session.scalars(db.select(WebhookDelivery))]
    assert sorted(codes) == [500, 503]
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
    assert any(
        m.payload["template"] == "webhook_disabled" and m.payload["to"] == owner.email for m in mail
    )
    # Turned off: a later delivery of the same event sends nothing.
    row.next_attempt_at = utcnow()
    db.session.commit()
    assert delivery.deliver(row.id) is True
    assert len(receiver.requests) == 2


def test_settings_page_registers_and_shows_the_log(
    client: FlaskClient, make_clinic: Any, make_user: Any, login_as: Any
) -> None:
    login_as(make_clinic().members[0])
    page = client.post(
        "/account/webhooks/",
        data={"url": "https://ats.example.com/hook", "events": [webhooks.STAGE_CHANGED]},
    )
    assert page.status_code == 200 and "data-new-secret" in page.get_data(as_text=True)
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    assert endpoint.events == [webhooks.STAGE_CHANGED]
    bad = client.post("/account/webhooks/", data={"url": "ftp://x", "events": ["nope"]})
    assert bad.status_code == 422
    client.post("/logout")
    login_as(make_user(Role.CANDIDATE))
    assert client.get("/account/webhooks/").status_code == 403


def test_private_addresses_are_refused_by_default(
    app: Flask, receiver: Receiver, make_clinic: Any
) -> None:
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    endpoint = webhooks.register(make_clinic().members[0], receiver.url, [webhooks.STAGE_CHANGED])
    db.session.commit()
    payload = {
        "endpoint_id": endpoint.id,
        "event": webhooks.STAGE_CHANGED,
        "event_id": "e1",
        "data": {},
    }
    with pytest.raises(webhooks.DeliveryFailed, match="not a public address"):
        webhooks.deliver(payload, "k1")
    assert receiver.requests == []

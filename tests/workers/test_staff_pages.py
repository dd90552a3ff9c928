"""The staff outbox page (dead messages, retry with CSRF) and the "sent mail" page."""

from __future__ import annotations

from pathlib import Path

import pytest

from agency.extensions import db
from agency.models import OutboxStatus, Role
from agency.services import delivery, mail
from tests.workers.conftest import SmtpServer
from tests.workers.helpers import message, stage_email


@pytest.fixture
def staff(make_user, login_as):
    user = make_user(Role.STAFF)
    login_as(user)
    return user


def test_a_rejected_message_shows_as_dead_and_retry_sends_it(
    app, client, staff, smtp: SmtpServer
) -> None:
    stage_email("bounce", to="nobody@example.com")
    db.session.commit()
    smtp.sink.reply = "550 5.1.1 mailbox unavailable"
    delivery.deliver(message("bounce").id)
    assert message("bounce").status == OutboxStatus.DEAD

    page = client.get("/staff/outbox").get_data(as_text=True)
    assert "nobody@example.com" in page and "mailbox unavailable" in page and "dead" in page

    smtp.sink.reply = None
    response = client.post(f"/staff/outbox/{message('bounce').id}/retry")
    assert response.status_code == 302
    row = message("bounce")
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert delivery.deliver(row.id) is True
    assert smtp.sink.keys() == {"bounce": 1}


def test_retry_needs_the_csrf_token(app, client, staff) -> None:
    stage_email("csrf")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/staff/outbox?show=pending").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert client.post(f"/staff/outbox/{message('csrf').id}/retry").status_code == 400


def test_only_staff_see_the_outbox_and_mail(app, client, make_user, login_as) -> None:
    login_as(make_user(Role.CANDIDATE))
    assert client.get("/staff/outbox").status_code == 403
    assert client.get("/staff/mail").status_code == 403


def test_sent_mail_lists_the_mail_folder(app, client, staff) -> None:
    app.config["MAIL_SERVER"] = None
    stage_email("to-folder", to="reader@example.com")
    db.session.commit()
    assert delivery.deliver(message("to-folder").id) is True
    files = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) == 1
    page = client.get("/staff/mail").get_data(as_text=True)
    assert "reader@example.com" in page and "Reset your ClinicMatch password" in page
    one = client.get(f"/staff/mail/{files[0].name}").get_data(as_text=True)
    # The reset link is the recipient's alone (issue 14): the viewer shows it redacted.
    assert "/reset/to-folder" not in one and mail.REDACTED_LINK in one
    assert "/reset/to-folder" in files[0].read_text()
    assert client.get("/staff/mail/..%2Fsecret_key").status_code == 404
    assert mail.message_id("to-folder") in files[0].read_text()

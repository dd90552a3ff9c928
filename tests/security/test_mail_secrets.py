"""Secrets in e-mail reach only the recipient: the staff sent-mail viewer shows reset and
unsubscribe links redacted, so staff cannot take over an admin account with a reset link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from agency.extensions import db
from agency.models import OutboxMessage, Role
from agency.services import delivery, mail, notifications
from tests.conftest import login


def _deliver_all() -> None:
    for message_id in db.session.execute(db.select(OutboxMessage.id)).scalars().all():
        assert delivery.deliver(message_id) is True


def test_staff_cannot_read_an_admins_reset_link(app: Flask, make_user: Any) -> None:
    admin, staff = make_user(Role.ADMIN), make_user(Role.STAFF)
    anonymous = app.test_client()
    assert anonymous.post("/forgot", data={"email": admin.email}).status_code == 302
    _deliver_all()
    token = re.search(
        r"/reset/([\w-]+)", next(Path(app.config["MAIL_DIR"]).glob("*.eml")).read_text()
    )
    assert token is not None, "the recipient's copy must hold the link"

    viewer = app.test_client()
    assert login(viewer, staff.email).status_code == 302
    listing = viewer.get("/staff/mail")
    assert listing.status_code == 200
    names = re.findall(r'href="/staff/mail/([^"]+)"', listing.get_data(as_text=True))
    assert len(names) == 1
    page = viewer.get(f"/staff/mail/{names[0]}").get_data(as_text=True)
    assert "Reset your ClinicMatch password" in page and admin.email in page
    assert token.group(1) not in page and "/reset/" not in page
    assert "link removed" in page
    # Nothing else a staff member can open shows it either.
    for other in ("/staff/outbox?show=pending", "/staff/outbox?show=sent"):
        response = viewer.get(other)
        assert token.group(1) not in response.get_data(as_text=True), other


def test_unsubscribe_links_are_redacted_and_ordinary_links_kept(app: Flask) -> None:
    base = app.config["PUBLIC_BASE_URL"]
    text = (
        f"See your application: {base}/me/applications/12\n"
        f"Jobs near you: {base}/jobs?role=receptionist&page=2\n"
        f"Unsubscribe (no login needed): {notifications.unsubscribe_url(7)}\n"
        f"Reset: {base}/reset/short\n"
        f"Verify: https://elsewhere.example/v?code=Xq3_0a9ZbLkT-8sJ2mN4pQ6rT1uV3wY5zA7cE9gI0kM\n"
    )
    shown = mail.redact_links(text)
    assert f"{base}/me/applications/12" in shown
    assert f"{base}/jobs?role=receptionist&page=2" in shown
    assert "/unsubscribe/" not in shown and "/reset/" not in shown and "Xq3_" not in shown
    assert shown.count(mail.REDACTED_LINK) == 3

"""Issuing an invoice e-mails the clinic's managers (not its viewers) the amount, the due date
and a link to the PDF in their portal, never the PDF itself; the link opens it once signed in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agency.extensions import db
from agency.models import OutboxMessage, Role
from agency.services import invoicing, mail
from tests.conftest import login
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["money"]  # the fixture, imported for pytest


def _mails() -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m for m in rows.scalars() if m.payload["template"] == "invoice_issued"]


def test_the_managers_get_the_link_to_the_pdf(money: MoneyScene, make_user: Any, app: Any) -> None:
    viewer = make_user(Role.CLINIC, clinic_id=money.clinic.id, clinic_role="viewer")
    sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    assert invoice is not None
    db.session.commit()
    assert _mails() == []  # a draft is not the clinic's business yet
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    (message,) = _mails()
    assert message.payload["to"] == money.member.email != viewer.email
    assert not message.payload.get("attachments")
    p = message.payload
    built = mail.build(p["template"], p["to"], p["context"], message.dedupe_key)
    text = str(built["Subject"]) + built.get_body(preferencelist=("plain",)).get_content()
    assert invoice.number in text and invoicing.money(invoice.total) in text
    assert invoice.due_date.isoformat() in text
    pdf_path = f"/clinic/invoices/{invoice.id}/export?format=pdf"
    assert pdf_path in text
    assert not any(part.get_content_type() == "application/pdf" for part in built.walk())
    client = app.test_client()
    assert login(client, money.member.email).status_code == 302
    response = client.get(pdf_path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"

"""Issuing an invoice or a credit note e-mails the clinic's managers (not its viewers) the amount,
the dates and a link to the PDF in their portal, never the PDF itself; the link opens it once
signed in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from agency.extensions import db
from agency.models import OutboxMessage, Role
from agency.services import invoicing, mail
from tests.conftest import login
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["money"]  # the fixture, imported for pytest


def _mails(template: str = "invoice_issued") -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m for m in rows.scalars() if m.payload["template"] == template]


def _built(message: OutboxMessage) -> EmailMessage:
    p = message.payload
    return mail.build(p["template"], p["to"], p["context"], message.dedupe_key)


def _text(built: EmailMessage) -> str:
    return str(built["Subject"]) + built.get_body(preferencelist=("plain",)).get_content()


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
    built = _built(message)
    text = _text(built)
    assert invoice.number in text and invoicing.money(invoice.total) in text
    assert invoice.due_date.isoformat() in text
    pdf_path = f"/clinic/invoices/{invoice.id}/export?format=pdf"
    assert pdf_path in text
    assert not any(part.get_content_type() == "application/pdf" for part in built.walk())
    client = app.test_client()
    assert login(client, money.member.email).status_code == 302
    response = client.get(pdf_path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_credit_note_tells_the_managers_what_it_takes_off_and_why(
    money: MoneyScene, make_user: Any, app: Any
) -> None:
    viewer = make_user(Role.CLINIC, clinic_id=money.clinic.id, clinic_role="viewer")
    sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    assert invoice is not None
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    line = invoice.lines[0]
    note = invoicing.credit_note(
        invoice, {line.id: Decimal("48.00")}, "One hour was billed twice", money.staff
    )
    db.session.commit()
    (message,) = _mails("credit_note_issued")
    assert message.payload["to"] == money.member.email != viewer.email
    built = _built(message)
    text = _text(built)
    assert not any(part.get_content_type() == "application/pdf" for part in built.walk())
    assert f"{note.number} " in text and f"{invoice.number}" in text and "$48.00" in text
    assert "One hour was billed twice" in text
    note_pdf = f"/clinic/invoices/{note.id}/export?format=pdf"
    assert note_pdf in text
    client = app.test_client()
    assert login(client, money.member.email).status_code == 302
    response = client.get(note_pdf)
    assert response.status_code == 200 and response.mimetype == "application/pdf"

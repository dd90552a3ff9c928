"""The demo agency has invoices: issued ones over a few weeks, a credit note, drafts to check,
and the demo clinic sees its own in its portal."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from agency.extensions import db
from agency.models import Invoice, User
from agency.services import demo


def test_the_demo_has_issued_invoices_a_credit_note_and_drafts(app: Flask, client: Any) -> None:
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    invoices = db.session.execute(select(Invoice)).scalars().all()
    issued = [i for i in invoices if i.status == "issued" and i.kind == "invoice"]
    assert len({i.period_start for i in issued}) >= 2  # a few weeks
    assert all(i.number and i.total > 0 and i.lines for i in issued)
    assert any(i.kind == "credit_note" and i.total < 0 for i in invoices)
    assert any(i.status == "draft" for i in invoices)
    member = db.session.execute(select(User).where(User.email == demo.CLINIC_EMAIL)).scalar_one()
    own = [i for i in issued if i.clinic_id == member.clinic_id]
    assert own, "the demo clinic has issued invoices"
    client.post("/login", data={"email": demo.CLINIC_EMAIL, "password": demo.DEMO_PASSWORD})
    page = client.get("/clinic/invoices").get_data(as_text=True)
    assert all(i.number in page for i in own)

"""The demo agency's invoices: every finished billing period with approved time is drafted, all
but the latest are issued (the latest stay drafts for staff to check), and the oldest issued
invoice has a credit note. Runs after demo_money made the timesheets."""

from __future__ import annotations

from decimal import Decimal

from agency.extensions import db
from agency.models import User
from agency.services import invoicing


def seed_invoices(staff_id: int) -> int:
    """Drafts and issues the demo's invoices; the count issued. Flushes."""
    staff = db.session.get(User, staff_id)
    if staff is None:
        return 0
    drafts = sorted(invoicing.draft_due().drafted, key=lambda i: (i.period_start, i.id))
    if not drafts:
        return 0
    newest = max(d.period_start for d in drafts)
    issued = [d for d in drafts if d.period_start < newest]
    for invoice in issued:
        invoicing.issue(invoice, staff)
        db.session.flush()
    if issued and issued[0].lines:
        first = issued[0]
        line = first.lines[0]
        take = min(line.amount, Decimal("25.00"))
        invoicing.credit_note(
            first, {line.id: take}, "Late start on this shift (agreed with the clinic)", staff
        )
        db.session.flush()
    return len(issued)

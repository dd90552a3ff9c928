"""The e-mails a clinic's managers get when an invoice or a credit note to the clinic is issued.

Managers only (see notifications.clinic_managers): an invoice asks the clinic to pay or query
it, and a credit note changes what it owes, which a viewer cannot act on. The e-mail carries the
amount, the dates and links to the document and its PDF in the clinic's portal (behind the
login), never the PDF itself: a bill with each worker's hours is not sent around as an
attachment.
"""

from __future__ import annotations

from typing import Any

from agency.models import Invoice
from agency.services import notifications, outbox


def _links(invoice: Invoice) -> dict[str, str]:
    page = f"/clinic/invoices/{invoice.id}"
    return {
        "invoice_url": notifications.link(page),
        "pdf_url": notifications.link(f"{page}/export?format=pdf"),
    }


def _to_managers(template: str, invoice: Invoice, context: dict[str, Any]) -> int:
    """Stage `template` to each manager of the invoice's clinic; the count staged."""
    made = 0
    for member in notifications.clinic_managers(invoice.clinic_id):
        staged = outbox.email(
            template,
            member.email,
            context,
            f"{template.replace('_', '-')}:{invoice.id}:u{member.id}",
            # What the clinic owes: sent whatever the member's newsletter choices.
            essential=True,
            user_id=member.id,
        )
        made += staged is not None
    return made


def invoice_issued(invoice: Invoice) -> int:
    """Stage the e-mail to each manager of the invoice's clinic; the count staged."""
    context = {
        "clinic_name": invoice.clinic.name,
        "title": invoice.title,
        "number": invoice.number,
        "total": f"${invoice.total:,.2f}",
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "period": f"{invoice.period_start.isoformat()} to {invoice.period_end.isoformat()}",
        **_links(invoice),
    }
    return _to_managers("invoice_issued", invoice, context)


def credit_note_issued(note: Invoice, credited: Invoice) -> int:
    """Stage the e-mail telling each manager what a credit note takes off `credited`, and why
    (the reason is the one printed on the credit note, written for the clinic)."""
    context = {
        "clinic_name": note.clinic.name,
        "title": note.title,
        "invoice_title": credited.title,
        "amount": f"${-note.total:,.2f}",
        "issue_date": note.issue_date.isoformat() if note.issue_date else "",
        "reason": note.reason or "",
        **_links(note),
    }
    return _to_managers("credit_note_issued", note, context)

"""The e-mail a clinic's managers get when an invoice to the clinic is issued.

Managers only (see notifications.clinic_managers): an invoice asks the clinic to pay or query
it, which a viewer cannot do. The e-mail carries the amount, the due date and links to the
invoice and its PDF in the clinic's portal (behind the login), never the PDF itself: a bill
with each worker's hours is not sent around as an attachment.
"""

from __future__ import annotations

from agency.models import Invoice
from agency.services import notifications, outbox


def invoice_issued(invoice: Invoice) -> int:
    """Stage the e-mail to each manager of the invoice's clinic; the count staged."""
    page = f"/clinic/invoices/{invoice.id}"
    context = {
        "clinic_name": invoice.clinic.name,
        "title": invoice.title,
        "number": invoice.number,
        "total": f"${invoice.total:,.2f}",
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "period": f"{invoice.period_start.isoformat()} to {invoice.period_end.isoformat()}",
        "invoice_url": notifications.link(page),
        "pdf_url": notifications.link(f"{page}/export?format=pdf"),
    }
    made = 0
    for member in notifications.clinic_managers(invoice.clinic_id):
        staged = outbox.email(
            "invoice_issued",
            member.email,
            context,
            f"invoice-issued:{invoice.id}:u{member.id}",
            # A bill to pay: sent whatever the member's newsletter choices.
            essential=True,
            user_id=member.id,
        )
        made += staged is not None
    return made

"""What the clinic's and the staff's invoice pages share: the number formats the templates use
and the PDF / CSV download (recorded in the audit log: a bill leaving the system)."""

from __future__ import annotations

from flask import Response

from agency.extensions import db
from agency.models import Invoice
from agency.security import audit_here
from agency.services import invoice_documents, invoicing

FMT = {"money": invoicing.money, "hours": invoicing.hours}
FORMATS = ("pdf", "csv")


def download(found: Invoice, ext: str) -> Response:
    audit_here(
        "invoice_downloaded",
        object_type="invoice",
        object_id=found.id,
        details={"format": ext, "number": found.number or f"draft-{found.id}"},
    )
    db.session.commit()
    if ext == "pdf":
        body: bytes | str = invoice_documents.pdf_bytes(found)
        mimetype = "application/pdf"
    else:
        body, mimetype = invoice_documents.csv_text(found), "text/csv"
    name = invoice_documents.file_name(found, ext)
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )

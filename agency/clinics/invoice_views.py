"""The clinic's invoices: its own issued invoices and credit notes (never drafts, never pay)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from agency import invoice_pages
from agency.clinics import bp
from agency.clinics.views import my_clinic
from agency.invoice_pages import FMT
from agency.models import Invoice, Role
from agency.security import roles_required
from agency.services import invoicing


def _own_invoice(invoice_id: int) -> Invoice:
    clinic = my_clinic()
    found = invoicing.get(invoice_id)
    if found is None or found.clinic_id != clinic.id or not found.is_issued:
        abort(404)
    return found


@bp.route("/invoices")
@roles_required(Role.CLINIC)
def invoices() -> ResponseReturnValue:
    clinic = my_clinic()
    return render_template(
        "invoices/clinic_list.html",
        clinic=clinic,
        invoices=invoicing.clinic_invoices(clinic.id),
        fmt=FMT,
    )


@bp.route("/invoices/<int:invoice_id>")
@roles_required(Role.CLINIC)
def invoice(invoice_id: int) -> ResponseReturnValue:
    found = _own_invoice(invoice_id)
    return render_template(
        "invoices/clinic_invoice.html",
        inv=found,
        credits=invoicing.credit_notes_of(found),
        fmt=FMT,
    )


@bp.route("/invoices/<int:invoice_id>/export")
@roles_required(Role.CLINIC)
def invoice_file(invoice_id: int) -> ResponseReturnValue:
    """?format=pdf (the default) or csv."""
    found = _own_invoice(invoice_id)
    ext = request.args.get("format", "pdf")
    if ext not in invoice_pages.FORMATS:
        abort(404)
    return invoice_pages.download(found, ext)

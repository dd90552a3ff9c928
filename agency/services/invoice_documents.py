"""An issued invoice or credit note as a file: PDF (fpdf2, pure Python) and CSV.

Both show the clinic's side only (hours, bill rate, amounts): never the pay rate or the margin,
so the same file is right for the clinic and for staff to forward. fpdf2 was chosen over
WeasyPrint (needs Pango and Cairo from the system) and ReportLab (heavier, C accelerators): it
installs from a wheel with Pillow, fontTools and defusedxml and draws text without a browser.

The PDF uses the built-in Helvetica, which covers Latin-1 (English and Western European names);
any other character is printed as its closest Latin-1 letter, else "?".
"""

from __future__ import annotations

import csv
import io
import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from agency.models.invoices import Invoice, InvoiceLine
from agency.services.invoicing import hours, money

AGENCY_NAME = "ClinicMatch Staffing"
CSV_HEADER = (
    "invoice number",
    "kind",
    "clinic",
    "issue date",
    "due date",
    "line",
    "work date",
    "worker",
    "description",
    "regular hours",
    "overtime hours",
    "holiday hours",
    "bill rate",
    "overtime multiplier",
    "holiday multiplier",
    "amount",
)


def _latin1(text: str) -> str:
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


def _hours_text(line: InvoiceLine) -> str:
    parts = [f"{hours(line.regular_minutes)} reg"]
    if line.overtime_minutes:
        parts.append(f"{hours(line.overtime_minutes)} OT x{line.overtime_multiplier}")
    if line.holiday_minutes:
        parts.append(f"{hours(line.holiday_minutes)} hol x{line.holiday_multiplier}")
    return ", ".join(parts) if line.billed_minutes else "-"


def kind_word(invoice: Invoice) -> str:
    return "Credit note" if invoice.is_credit_note else "Invoice"


def pdf_bytes(invoice: Invoice) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(_latin1(invoice.title))
    pdf.set_author(AGENCY_NAME)
    pdf.set_creator("ClinicMatch")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(width / 2, 10, AGENCY_NAME)
    pdf.cell(
        width / 2,
        10,
        _latin1(kind_word(invoice)).upper(),
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font("Helvetica", "", 10)
    facts = [
        ("Number", invoice.number or "DRAFT"),
        ("Issued", f"{invoice.issue_date:%b %d, %Y}" if invoice.issue_date else "-"),
        ("Period", f"{invoice.period_start:%b %d, %Y} - {invoice.period_end:%b %d, %Y}"),
    ]
    if invoice.is_credit_note and invoice.credited_invoice is not None:
        facts.append(("Corrects", invoice.credited_invoice.number or ""))
    elif invoice.due_date:
        facts.append(("Due", f"{invoice.due_date:%b %d, %Y} (net {invoice.net_days})"))
    top = pdf.get_y() + 2
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width / 2, 6, "Bill to", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width / 2, 5, _latin1(invoice.bill_to or invoice.clinic.name))
    after_address = pdf.get_y()
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width / 2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(width / 4, 6, label, align="R")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(width / 4, 6, _latin1(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(after_address, pdf.get_y()) + 6)
    if invoice.reason:
        pdf.multi_cell(width, 5, _latin1(f"Reason: {invoice.reason}"))
        pdf.ln(3)
    columns = (
        ("Date", 0.12),
        ("Worker / shift", 0.36),
        ("Hours", 0.24),
        ("Rate", 0.12),
        ("Amount", 0.16),
    )
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(235, 238, 242)
    for name, share in columns:
        pdf.cell(
            width * share,
            7,
            name,
            border="B",
            fill=True,
            align="R" if name in ("Rate", "Amount") else "L",
        )
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in invoice.lines:
        cells = (
            f"{line.work_date:%m/%d/%Y}",
            _latin1(f"{line.worker_name} - {line.description}")[:70],
            _hours_text(line),
            money(line.bill_rate),
            money(line.amount),
        )
        for (name, share), text in zip(columns, cells, strict=True):
            pdf.cell(
                width * share, 6, text, border="B", align="R" if name in ("Rate", "Amount") else "L"
            )
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width * 0.84, 8, "Total", align="R")
    pdf.cell(width * 0.16, 8, money(invoice.total), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8)
    pdf.ln(4)
    pdf.multi_cell(
        width,
        4,
        "Amounts are hours x bill rate (overtime and holiday hours x the multiplier shown), "
        "rounded half up to the cent once per line. Questions: reply to the e-mail this came with.",
    )
    return bytes(pdf.output())


def csv_text(invoice: Invoice) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for line in invoice.lines:
        writer.writerow(
            [
                invoice.number or f"draft-{invoice.id}",
                invoice.kind,
                _safe(invoice.clinic.name),
                invoice.issue_date.isoformat() if invoice.issue_date else "",
                invoice.due_date.isoformat() if invoice.due_date else "",
                line.position,
                line.work_date.isoformat(),
                _safe(line.worker_name),
                _safe(line.description),
                hours(line.regular_minutes),
                hours(line.overtime_minutes),
                hours(line.holiday_minutes),
                line.bill_rate,
                line.overtime_multiplier,
                line.holiday_multiplier,
                line.amount,
            ]
        )
    writer.writerow(
        ["total", "", "", "", "", "", "", "", "", "", "", "", "", "", "", invoice.total]
    )
    return buffer.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (as exports.py)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def file_name(invoice: Invoice, ext: str) -> str:
    return f"{invoice.number or f'draft-{invoice.id}'}.{ext}"

"""Staff's invoices: run invoicing for a week, check and regenerate drafts, issue them, credit
issued ones, download any of them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import DateField, DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from agency import invoice_pages
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm, choices
from agency.invoice_pages import FMT
from agency.models import STAFF_ROLES, BillingPeriod, Clinic, Invoice, InvoiceStatus
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import invoicing
from agency.services.invoicing import InvoiceError
from agency.staff import bp

MAX_CREDIT = Decimal("1000000")


class RunForm(BaseForm):
    week = DateField(
        "Week of", validators=[InputRequired(message="Choose a day of the week to bill.")]
    )


class ActionForm(BaseForm):
    """Issue and regenerate: a button (and the CSRF token)."""


class CreditForm(BaseForm):
    reason = TextAreaField(
        "Reason (printed on the credit note)",
        validators=[InputRequired(message="Give the reason for the credit."), Length(max=1000)],
    )


def credit_form_for(invoice: Invoice) -> CreditForm:
    """The credit form with one amount field per line of the invoice (line_<id>)."""

    class _Form(CreditForm):
        pass

    for line in invoice.lines:
        setattr(
            _Form,
            f"line_{line.id}",
            DecimalField(
                f"Credit on line {line.position}",
                places=2,
                validators=[
                    Optional(),
                    NumberRange(min=Decimal("0.01"), max=MAX_CREDIT, message="Enter an amount."),
                ],
            ),
        )
    return _Form()


def _invoice_or_404(invoice_id: int) -> Invoice:
    found = invoicing.get(invoice_id)
    if found is None:
        abort(404)
    return found


def _last_week() -> date:
    return invoicing.agency_today() - timedelta(days=7)


@bp.route("/invoices")
@roles_required(*STAFF_ROLES)
def invoices() -> ResponseReturnValue:
    status = request.args.get("status", "")
    status = status if status in InvoiceStatus.values() else ""
    form = RunForm(week=_last_week())
    return render_template(
        "invoices/staff_list.html",
        invoices=invoicing.staff_invoices(status),
        status=status,
        form=form,
        fmt=FMT,
    )


@bp.route("/invoices/run", methods=["POST"])
@roles_required(*STAFF_ROLES)
def run_invoicing() -> ResponseReturnValue:
    form = RunForm()
    if not form.validate_on_submit():
        return render_template(
            "invoices/staff_list.html",
            invoices=invoicing.staff_invoices(),
            status="",
            form=form,
            fmt=FMT,
        ), FORM_ERROR_STATUS
    result = invoicing.run_for(form.week.data, signed_in_user(), client_ip())
    db.session.commit()
    flash(
        f"Invoicing run for the week of {form.week.data:%b %d, %Y}: {result.describe()}.", "success"
    )
    return redirect(url_for("staff.invoices", status="draft"))


def _render(found: Invoice, status: int = 200, **extra: object) -> ResponseReturnValue:
    return render_template(
        "invoices/staff_invoice.html",
        inv=found,
        credits=invoicing.credit_notes_of(found) if not found.is_credit_note else [],
        action_form=ActionForm(),
        fmt=FMT,
        totals=invoicing.pay_and_margin(found),
        **extra,
    ), status


@bp.route("/invoices/<int:invoice_id>")
@roles_required(*STAFF_ROLES)
def invoice(invoice_id: int) -> ResponseReturnValue:
    return _render(_invoice_or_404(invoice_id))


def _refused(found: Invoice, exc: InvoiceError) -> ResponseReturnValue:
    db.session.rollback()
    return _render(_invoice_or_404(found.id), FORM_ERROR_STATUS, errors=[str(exc)])


@bp.route("/invoices/<int:invoice_id>/regenerate", methods=["POST"])
@roles_required(*STAFF_ROLES)
def regenerate_invoice(invoice_id: int) -> ResponseReturnValue:
    found = _invoice_or_404(invoice_id)
    if not ActionForm().validate_on_submit():
        return _render(found, FORM_ERROR_STATUS, errors=["The form expired: try again."])
    try:
        rebuilt = invoicing.regenerate(found, signed_in_user(), client_ip())
    except InvoiceError as exc:
        return _refused(found, exc)
    db.session.commit()
    if rebuilt is None:
        flash("Nothing is left to bill for that period: the draft is removed.", "info")
        return redirect(url_for("staff.invoices"))
    flash("The draft is rebuilt from the approved timesheets.", "success")
    return redirect(url_for("staff.invoice", invoice_id=rebuilt.id))


@bp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@roles_required(*STAFF_ROLES)
def issue_invoice(invoice_id: int) -> ResponseReturnValue:
    found = _invoice_or_404(invoice_id)
    if not ActionForm().validate_on_submit():
        return _render(found, FORM_ERROR_STATUS, errors=["The form expired: try again."])
    try:
        invoicing.issue(found, signed_in_user(), client_ip())
    except InvoiceError as exc:
        return _refused(found, exc)
    db.session.commit()
    flash(f"Invoice {found.number} is issued; the clinic sees it in its portal.", "success")
    return redirect(url_for("staff.invoice", invoice_id=found.id))


@bp.route("/invoices/<int:invoice_id>/credit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def credit_invoice(invoice_id: int) -> ResponseReturnValue:
    found = _invoice_or_404(invoice_id)
    if not found.is_issued or found.is_credit_note:
        flash("Only an issued invoice can be credited.", "error")
        return redirect(url_for("staff.invoice", invoice_id=found.id))
    form = credit_form_for(found)
    status = 200
    if form.validate_on_submit():
        amounts = {line.id: form[f"line_{line.id}"].data or Decimal(0) for line in found.lines}
        try:
            note = invoicing.credit_note(
                found, amounts, form.reason.data or "", signed_in_user(), client_ip()
            )
        except InvoiceError as exc:
            db.session.rollback()
            found = _invoice_or_404(invoice_id)
            form.form_errors.append(str(exc))
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash(f"Credit note {note.number} is issued.", "success")
            return redirect(url_for("staff.invoice", invoice_id=note.id))
    elif request.method == "POST":
        status = FORM_ERROR_STATUS
    return render_template(
        "invoices/staff_credit.html",
        inv=found,
        form=form,
        credited=invoicing.credited_so_far(found),
        fmt=FMT,
    ), status


@bp.route("/invoices/<int:invoice_id>/export")
@roles_required(*STAFF_ROLES)
def invoice_file(invoice_id: int) -> ResponseReturnValue:
    """?format=pdf (the default) or csv."""
    found = _invoice_or_404(invoice_id)
    ext = request.args.get("format", "pdf")
    if ext not in invoice_pages.FORMATS:
        abort(404)
    return invoice_pages.download(found, ext)


class BillingForm(BaseForm):
    period = SelectField("Billing period", choices=choices(BillingPeriod.choices()))
    net_days = IntegerField(
        "Payment terms (days after the invoice date)",
        default=invoicing.DEFAULT_NET_DAYS,
        validators=[
            InputRequired(message="Enter the days (0 for due on receipt)."),
            NumberRange(min=0, max=120, message="Enter 0 to 120 days."),
        ],
    )
    bill_to = TextAreaField(
        "Bill to (blank: the clinic's name and address)",
        validators=[Length(max=1000)],
    )


@bp.route("/clinics/<int:clinic_id>/billing", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def clinic_billing(clinic_id: int) -> ResponseReturnValue:
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        abort(404)
    saved = invoicing.billing_of(clinic)
    form = BillingForm(obj=saved)
    status = 200
    if form.validate_on_submit():
        invoicing.set_billing(
            clinic,
            form.period.data or BillingPeriod.WEEKLY,
            form.net_days.data or 0,
            form.bill_to.data or "",
            signed_in_user(),
            client_ip(),
        )
        db.session.commit()
        flash("Billing settings saved: the next drafts use them.", "success")
        return redirect(url_for("staff.clinic_billing", clinic_id=clinic.id))
    if request.method == "POST":
        status = FORM_ERROR_STATUS
    return render_template("invoices/staff_billing.html", clinic=clinic, form=form), status

"""Staff's money pages: the reports (hours billed, revenue, margin, unfilled hours) with their
exports, and the weekly payroll export."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, render_template, request, send_file
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import date_arg
from agency.invoice_pages import FMT
from agency.models import STAFF_ROLES
from agency.security import audit_here, roles_required
from agency.services import exports, invoicing, money_reports, payroll
from agency.staff import bp


def _day_arg(name: str, default: date) -> date:
    return date_arg(request.args.get(name), default)


@bp.route("/money")
@roles_required(*STAFF_ROLES)
def money() -> ResponseReturnValue:
    last = _day_arg("week", invoicing.agency_today())
    rep = money_reports.report(last)
    return render_template(
        "staff/money.html",
        rep=rep,
        fmt=FMT,
        week=rep.last_week.isoformat(),
        previous=(rep.last_week - timedelta(days=7 * money_reports.WEEKS)).isoformat(),
        following=(rep.last_week + timedelta(days=7 * money_reports.WEEKS)).isoformat(),
    )


@bp.route("/money/<table>/export")
@roles_required(*STAFF_ROLES)
def money_export(table: str) -> ResponseReturnValue:
    sheet = money_reports.TABLES.get(table)
    fmt = request.args.get("format", "csv")
    if sheet is None or fmt not in exports.FORMATS:
        abort(404)
    rep = money_reports.report(_day_arg("week", invoicing.agency_today()))
    rows = money_reports.table_rows(rep, table)
    audit_here("money_report_exported", object_type=sheet.name, details={"format": fmt})
    db.session.commit()
    name = f"clinicmatch-{sheet.name}-{rep.last_week.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return send_file(
            exports.xlsx_file(sheet, rows),
            mimetype=exports.XLSX_TYPE,
            as_attachment=True,
            download_name=name,
        )
    return Response(
        "".join(exports.csv_chunks(sheet, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _payroll_week() -> tuple[date, date]:
    default = invoicing.agency_today() - timedelta(days=7)
    return payroll.payroll_week(_day_arg("week", default))


@bp.route("/payroll")
@roles_required(*STAFF_ROLES)
def payroll_page() -> ResponseReturnValue:
    start, end = _payroll_week()
    workers = payroll.summary(start, end)
    return render_template(
        "staff/payroll.html",
        start=start,
        end=end,
        workers=workers,
        fmt=FMT,
        previous=(start - timedelta(days=7)).isoformat(),
        following=(start + timedelta(days=7)).isoformat(),
        hours=payroll.WorkerWeek.hours,
    )


@bp.route("/payroll/export")
@roles_required(*STAFF_ROLES)
def payroll_export() -> ResponseReturnValue:
    start, end = _payroll_week()
    rows = payroll.rows(start, end)
    audit_here(
        "payroll_exported",
        object_type="payroll",
        details={"week": start.isoformat(), "rows": len(rows)},
    )
    db.session.commit()
    name = f"clinicmatch-payroll-{start.isoformat()}.csv"
    return Response(
        "".join(payroll.csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""Fairness work of the agency: the queue of human-review requests (staff) and the bias audit of
the automated ranking (admins only: it is the one place self-identification is read)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, page_arg
from agency.models import STAFF_ROLES, HumanReviewRequest, Role
from agency.security import audit_here, client_ip, roles_required, signed_in_user
from agency.services import bias_audit, human_review
from agency.staff import bp
from agency.staff.forms import BiasAuditForm, HumanReviewMoveForm

# The default audit period: the past year, today included.
DEFAULT_DAYS = 365


def _move_form(review_id: int) -> HumanReviewMoveForm:
    # One form per row: the prefix keeps each row's fields (and errors) apart.
    return HumanReviewMoveForm(prefix=f"r{review_id}")


def _queue_page(
    failed: HumanReviewMoveForm | None = None, failed_id: int | None = None
) -> ResponseReturnValue:
    page = human_review.queue(page_arg())
    forms = {
        r.id: failed if failed is not None and r.id == failed_id else _move_form(r.id)
        for r in page.items
        if r.is_open
    }
    return render_template("staff/human_reviews.html", page=page, forms=forms), FORM_ERROR_STATUS


@bp.route("/human-reviews")
@roles_required(*STAFF_ROLES)
def human_reviews() -> ResponseReturnValue:
    return _queue_page()


@bp.route("/human-reviews/<int:review_id>/move", methods=["POST"])
@roles_required(*STAFF_ROLES)
def human_review_move(review_id: int) -> ResponseReturnValue:
    row = db.session.get(HumanReviewRequest, review_id)
    if row is None:
        abort(404)
    form = _move_form(review_id)
    if form.validate_on_submit():
        try:
            human_review.move(
                row, form.status.data, signed_in_user(), form.reply.data or "", ip=client_ip()
            )
        except human_review.ReviewError as exc:
            form.reply.errors = [*form.reply.errors, str(exc)]
        else:
            db.session.commit()
            flash("The request is updated; the candidate sees its new state.", "success")
            return redirect(url_for("staff.human_reviews"))
    db.session.rollback()
    return _queue_page(form, review_id)


def _period(form: BiasAuditForm) -> tuple[date, date]:
    today = date.today()
    end = form.end.data or today
    start = form.start.data or end - timedelta(days=DEFAULT_DAYS - 1)
    return start, end


@bp.route("/admin/bias-audit")
@roles_required(Role.ADMIN)
def bias_audit_page() -> ResponseReturnValue:
    form = BiasAuditForm(request.args)
    report = None
    if form.validate():
        start, end = _period(form)
        form.start.data, form.end.data = start, end
        report = bias_audit.report(start, end)
        audit_here("bias_audit_viewed", object_type="report", details=_details(start, end))
        db.session.commit()
    return render_template(
        "staff/bias_audit.html",
        form=form,
        report=report,
        statuses=bias_audit.STATUS_WORDS,
        min_size=bias_audit.MIN_GROUP_SIZE,
        min_share=bias_audit.MIN_GROUP_SHARE,
    ), FORM_ERROR_STATUS


@bp.route("/admin/bias-audit.csv")
@roles_required(Role.ADMIN)
def bias_audit_csv() -> ResponseReturnValue:
    form = BiasAuditForm(request.args)
    if not form.validate():
        abort(400)
    start, end = _period(form)
    body = bias_audit.to_csv(bias_audit.report(start, end))
    audit_here("bias_audit_exported", object_type="report", details=_details(start, end))
    db.session.commit()
    name = f"bias-audit-{start.isoformat()}-to-{end.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _details(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}

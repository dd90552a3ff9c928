"""Staff set an opening's default pay and bill rates and each placement's own (the rate card is
on the clinic's rates page, staff/timesheets.py). Blank means: fall back to the next default."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm
from agency.models import STAFF_ROLES, Application, Opening, Stage
from agency.security import client_ip, roles_required, signed_in_user
from agency.services import money, rates
from agency.services.staff_queries import lists as list_queries
from agency.staff import bp

LIMITS = NumberRange(min=0, max=99_999_999, message="Enter an amount from 0.")


class RatePairForm(BaseForm):
    pay_rate = DecimalField("Pay rate ($/hour)", places=2, validators=[Optional(), LIMITS])
    bill_rate = DecimalField("Bill rate ($/hour)", places=2, validators=[Optional(), LIMITS])

    def pair(self) -> tuple[Decimal | None, Decimal | None]:
        pay, bill = self.pay_rate.data, self.bill_rate.data
        return (
            money.round_line(pay) if pay is not None else None,
            money.round_line(bill) if bill is not None else None,
        )


def _opening_or_404(opening_id: int) -> Opening:
    opening = db.session.get(Opening, opening_id)
    if opening is None:
        abort(404)
    return opening


def _render(
    opening: Opening, form: RatePairForm | None = None, status: int = 200
) -> ResponseReturnValue:
    if form is None:
        form = RatePairForm(formdata=None)
        form.pay_rate.data, form.bill_rate.data = opening.pay_rate, opening.bill_rate
    return render_template(
        "timesheets/staff_opening_rates.html",
        opening=opening,
        effective=rates.for_opening(opening),
        form=form,
        placements=list_queries.placements(opening.id),
        margin=money.margin,
    ), status


@bp.route("/openings/<int:opening_id>/rates", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def opening_rates(opening_id: int) -> ResponseReturnValue:
    opening = _opening_or_404(opening_id)
    form = RatePairForm()
    if form.validate_on_submit():
        rates.set_opening_rates(opening, *form.pair(), signed_in_user(), client_ip())
        db.session.commit()
        flash("Opening rates saved. New bookings and placements use them.", "success")
        return redirect(url_for("staff.opening_rates", opening_id=opening.id))
    if form.is_submitted():
        return _render(opening, form, FORM_ERROR_STATUS)
    return _render(opening)


@bp.route("/applications/<int:application_id>/rates", methods=["POST"])
@roles_required(*STAFF_ROLES)
def placement_rates(application_id: int) -> ResponseReturnValue:
    application = db.session.get(Application, application_id)
    if application is None or application.stage != Stage.PLACED:
        abort(404)
    form = RatePairForm()
    if form.validate_on_submit():
        rates.set_placement_rates(application, *form.pair(), signed_in_user(), client_ip())
        db.session.commit()
        flash("Placement rates saved.", "success")
    else:
        flash("Enter amounts from 0 (or leave blank).", "error")
    return redirect(url_for("staff.opening_rates", opening_id=application.opening_id))

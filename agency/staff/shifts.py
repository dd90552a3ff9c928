"""Staff's shifts: the week with the gaps first, and one shift's proposals, offers, bookings,
cancellation and attendance corrections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm, choices, date_arg
from agency.models import STAFF_ROLES, CancelledBy, Shift, ShiftBooking
from agency.security import roles_required, signed_in_user
from agency.services import money, shift_proposals, shifts
from agency.services.engine import COMPONENT_LABELS
from agency.services.shifts import ShiftError
from agency.services.staff_queries import lists as list_queries
from agency.staff import bp
from agency.timezones import zone

PROPOSED = 20


class OfferForm(BaseForm):
    candidate_ids = SelectMultipleField(
        "Offer to", validators=[InputRequired(message="Choose at least one person.")]
    )


class ReasonForm(BaseForm):
    reason = TextAreaField(
        "Reason", validators=[InputRequired(message="Give a reason."), Length(max=1000)]
    )


class CorrectionForm(ReasonForm):
    outcome = RadioField(
        "Attendance",
        choices=choices(list(shifts.ATTENDANCE_WORDS.items())),
        validators=[InputRequired(message="Choose attended, late or no-show.")],
    )


def _shift_or_404(shift_id: int) -> Shift:
    found = shifts.get_shift(shift_id)
    if found is None:
        abort(404)
    return found


def _week_arg() -> date:
    # "This week" is the agency's, not the server's (UTC): on a Sunday evening in the Pacific
    # the server's clock is already on Monday.
    today = datetime.now(zone(current_app.config["AGENCY_TIMEZONE"])).date()
    return date_arg(request.args.get("week"), today)


@bp.route("/shifts")
@roles_required(*STAFF_ROLES)
def shifts_week() -> ResponseReturnValue:
    day = _week_arg()
    monday, following = shifts.week_of(day)
    week = shifts.staff_week(day)
    return render_template(
        "shifts/staff_week.html",
        shifts=week,
        gaps=[s for s in week if s.status == "open"],
        monday=monday,
        previous=(monday - timedelta(days=7)).isoformat(),
        following=following.isoformat(),
        when=shifts.when,
    )


def _render_shift(
    found: Shift,
    offer_form: OfferForm | None = None,
    status: int = 200,
    errors: list[str] | None = None,
) -> ResponseReturnValue:
    proposals = []
    if found.status == "open":
        proposals = shift_proposals.propose(found, k=PROPOSED)
    names = list_queries.candidates_by_id(p.candidate_id for p in proposals)
    offered = {o.candidate_id: o.status for o in found.offers}
    return render_template(
        "shifts/staff_shift.html",
        shift=found,
        when=shifts.when(found),
        proposals=proposals,
        names=names,
        offered=offered,
        labels=COMPONENT_LABELS,
        words=shifts.ATTENDANCE_WORDS,
        can_mark=shifts.can_mark,
        margin=money.margin,
        errors=errors or [],
        offer_form=offer_form,
    ), status


@bp.route("/shifts/<int:shift_id>")
@roles_required(*STAFF_ROLES)
def shift(shift_id: int) -> ResponseReturnValue:
    return _render_shift(_shift_or_404(shift_id))


@bp.route("/shifts/<int:shift_id>/offer", methods=["POST"])
@roles_required(*STAFF_ROLES)
def offer_shift(shift_id: int) -> ResponseReturnValue:
    found = _shift_or_404(shift_id)
    form = OfferForm()
    raw = form.candidate_ids.data or []
    form.candidate_ids.choices = choices([(v, v) for v in raw if v.isdigit() and len(v) < 10])
    if not form.validate_on_submit():
        errors = form.candidate_ids.errors or ["Choose at least one person."]
        return _render_shift(found, status=FORM_ERROR_STATUS, errors=list(errors))
    try:
        made = shifts.offer(found, [int(v) for v in form.candidate_ids.data], signed_in_user())
    except ShiftError as exc:
        db.session.rollback()
        return _render_shift(found, status=FORM_ERROR_STATUS, errors=[str(exc)])
    db.session.commit()
    flash(f"Offered to {len(made)} {'person' if len(made) == 1 else 'people'}.", "success")
    return redirect(url_for("staff.shift", shift_id=found.id))


def _act(
    found: Shift, form: BaseForm, action: Callable[[], object], done: str
) -> ResponseReturnValue:
    """Validate, run the service call, commit and go back to the shift; on a refusal show the
    shift again with the messages (nothing saved)."""
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        return _render_shift(found, status=FORM_ERROR_STATUS, errors=errors)
    try:
        action()
    except ShiftError as exc:
        db.session.rollback()
        return _render_shift(found, status=FORM_ERROR_STATUS, errors=[str(exc)])
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("staff.shift", shift_id=found.id))


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@roles_required(*STAFF_ROLES)
def cancel_shift(shift_id: int) -> ResponseReturnValue:
    found = _shift_or_404(shift_id)
    form = ReasonForm()
    return _act(
        found,
        form,
        lambda: shifts.cancel_shift(found, CancelledBy.STAFF, form.reason.data, signed_in_user()),
        "The shift is canceled.",
    )


def _booking_of(found: Shift, booking_id: int) -> ShiftBooking:
    booking = next((b for b in found.bookings if b.id == booking_id), None)
    if booking is None:
        abort(404)
    return booking


@bp.route("/shifts/<int:shift_id>/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required(*STAFF_ROLES)
def cancel_booking(shift_id: int, booking_id: int) -> ResponseReturnValue:
    found = _shift_or_404(shift_id)
    booking = _booking_of(found, booking_id)
    form = ReasonForm()
    return _act(
        found,
        form,
        lambda: shifts.cancel_booking(
            booking, CancelledBy.STAFF, form.reason.data, signed_in_user()
        ),
        "The booking is canceled; the place is open again.",
    )


@bp.route("/shifts/<int:shift_id>/bookings/<int:booking_id>/attendance", methods=["POST"])
@roles_required(*STAFF_ROLES)
def correct_attendance(shift_id: int, booking_id: int) -> ResponseReturnValue:
    found = _shift_or_404(shift_id)
    booking = _booking_of(found, booking_id)
    form = CorrectionForm()
    return _act(
        found,
        form,
        lambda: shifts.correct_attendance(
            booking, form.outcome.data, form.reason.data, signed_in_user()
        ),
        "Attendance corrected.",
    )

"""The candidate's shifts: offers to accept, upcoming bookings, past shifts and their record."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from agency.candidates import bp
from agency.candidates.helpers import my_candidate
from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm
from agency.models import CancelledBy, Candidate, Role, ShiftBooking, ShiftOffer
from agency.security import roles_required
from agency.services import reliability, shifts
from agency.services.shifts import ShiftError

RESULT_WORDS = {
    "booked": "The shift is yours. The details are on its way by e-mail.",
    "already": "You already accepted this shift.",
    "taken": "Sorry, someone else accepted this shift first.",
    "gone": "This shift is no longer available.",
    "conflict": "You are booked on another shift too close to this one.",
}


class ButtonForm(BaseForm):
    """A POST button with its CSRF token."""


class CancelBookingForm(BaseForm):
    reason = TextAreaField(
        "Why can't you make it?",
        validators=[InputRequired(message="Say why you cancel."), Length(max=1000)],
    )


def _own_offer(candidate: Candidate, offer_id: int) -> ShiftOffer:
    offer = db.session.get(ShiftOffer, offer_id)
    if offer is None or offer.candidate_id != candidate.id:
        abort(404)
    return offer


def _own_booking(candidate: Candidate, booking_id: int) -> ShiftBooking:
    booking = db.session.get(ShiftBooking, booking_id)
    if booking is None or booking.candidate_id != candidate.id:
        abort(404)
    return booking


def _render(
    candidate: Candidate, cancel_form: CancelBookingForm | None = None, status: int = 200
) -> ResponseReturnValue:
    record = reliability.record_of(candidate.id)
    return render_template(
        "shifts/candidate.html",
        offers=shifts.candidate_offers(candidate),
        upcoming=shifts.candidate_bookings(candidate, upcoming=True),
        past=shifts.candidate_bookings(candidate, upcoming=False),
        record=record,
        when=shifts.when,
        words=shifts.ATTENDANCE_WORDS,
        button=ButtonForm(formdata=None),
        cancel_form=cancel_form or CancelBookingForm(formdata=None),
        late_hours=int(shifts.LATE_CANCELLATION.total_seconds() // 3600),
    ), status


@bp.route("/me/shifts")
@roles_required(Role.CANDIDATE)
def my_shifts() -> ResponseReturnValue:
    return _render(my_candidate())


@bp.route("/me/shifts/offers/<int:offer_id>/accept", methods=["POST"])
@roles_required(Role.CANDIDATE)
def accept_offer(offer_id: int) -> ResponseReturnValue:
    candidate = my_candidate()
    offer = _own_offer(candidate, offer_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    result = shifts.accept(offer)
    flash(RESULT_WORDS[result.outcome], "success" if result.booked else "error")
    return redirect(url_for("candidates.my_shifts"))


@bp.route("/me/shifts/offers/<int:offer_id>/decline", methods=["POST"])
@roles_required(Role.CANDIDATE)
def decline_offer(offer_id: int) -> ResponseReturnValue:
    candidate = my_candidate()
    offer = _own_offer(candidate, offer_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if shifts.decline(offer):
        db.session.commit()
        flash("Offer declined.", "success")
    return redirect(url_for("candidates.my_shifts"))


@bp.route("/me/shifts/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required(Role.CANDIDATE)
def cancel_booking(booking_id: int) -> ResponseReturnValue:
    candidate = my_candidate()
    booking = _own_booking(candidate, booking_id)
    form = CancelBookingForm()
    if form.validate_on_submit():
        try:
            shifts.cancel_booking(booking, CancelledBy.WORKER, form.reason.data, current_user)
        except ShiftError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            late = booking.late_cancellation
            db.session.commit()
            flash(
                "Your booking is canceled"
                + (" (less than 24 hours ahead, so it counts as late)." if late else "."),
                "success",
            )
            return redirect(url_for("candidates.my_shifts"))
    return _render(candidate, cancel_form=form, status=FORM_ERROR_STATUS)

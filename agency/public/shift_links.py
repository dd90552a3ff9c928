"""The one-click links in shift e-mails: a worker accepts an offer, a clinic marks attendance.

No login: the signed token names the offer or booking (as unsubscribe links do). A GET only
shows the choice with one button, since mail scanners follow links and must not book anyone;
the POST acts, with the CSRF token of the page it came from.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.public import bp
from agency.security import public
from agency.services import clinic_portal, shifts
from agency.services.shifts import ShiftError

RESULT_WORDS = {
    "booked": "The shift is yours. We sent the details by e-mail; see you there.",
    "already": "You already accepted this shift: it is yours.",
    "taken": "Sorry, someone else accepted this shift first. We will offer you the next one.",
    "gone": "This shift is no longer available.",
    "conflict": "You are booked on another shift too close to this one, so you cannot take it.",
}


@bp.route("/shifts/offer/<token>", methods=["GET", "POST"])
@public
def shift_offer_link(token: str) -> ResponseReturnValue:
    offer = shifts.read_offer_token(token)
    if offer is None:
        return render_template("shifts/link_invalid.html"), 404
    shift = offer.shift
    if request.method == "GET":
        return render_template(
            "shifts/offer_link.html",
            offer=offer,
            shift=shift,
            when=shifts.when(shift),
            result=None,
        )
    result = shifts.accept(offer)
    return render_template(
        "shifts/offer_link.html",
        offer=offer,
        shift=shift,
        when=shifts.when(shift),
        result=RESULT_WORDS[result.outcome],
        booked=result.booked or result.outcome == "already",
    ), (200 if result.booked or result.outcome == "already" else 409)


@bp.route("/shifts/attendance/<token>", methods=["GET", "POST"])
@public
def shift_attendance_link(token: str) -> ResponseReturnValue:
    found = shifts.read_attendance_token(token)
    if found is None:
        return render_template("shifts/link_invalid.html"), 404
    booking, member = found
    shift = booking.shift
    context = {
        "booking": booking,
        "shift": shift,
        "when": shifts.when(shift),
        "worker_name": clinic_portal.display_name(booking.candidate),
        "words": shifts.ATTENDANCE_WORDS,
        "error": None,
        "done": False,
    }
    if request.method == "GET":
        return render_template("shifts/attendance_link.html", **context)
    outcome = request.form.get("outcome", "")[:20]
    try:
        shifts.mark_attendance(booking, outcome, member)
    except ShiftError as exc:
        db.session.rollback()
        return render_template("shifts/attendance_link.html", **{**context, "error": str(exc)}), 400
    db.session.commit()
    return render_template("shifts/attendance_link.html", **{**context, "done": True})

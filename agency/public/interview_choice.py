"""The signed link in the interview e-mail: the candidate books one proposed time without
logging in (the signature is the proof; GET only asks, since mail scanners follow links)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import BaseForm
from agency.public import bp
from agency.security import client_ip, public
from agency.services import interviews
from agency.services.interviews import SlotGone


@bp.route("/interviews/choose/<token>", methods=["GET", "POST"])
@public
def choose_interview(token: str) -> ResponseReturnValue:
    found = interviews.read_pick_token(token)
    if found is None:
        return render_template("public/interview_choice.html", state="invalid"), 404
    interview, slot_id = found
    slot = next(s for s in interview.slots if s.id == slot_id)
    clinic = interview.application.opening.clinic
    form = BaseForm()
    page = {
        "interview": interview,
        "opening": interview.application.opening,
        "when": interviews.local_time(slot.starts_at, clinic),
        "minutes": slot.duration_minutes,
        "mode_words": interviews.MODE_WORDS[interview.mode],
        "form": form,
    }
    booked_this = interview.status == "scheduled" and interview.starts_at == slot.starts_at
    if booked_this:
        return render_template("public/interview_choice.html", state="booked", **page)
    if request.method == "POST" and form.validate_on_submit():
        try:
            interviews.book(interview, slot_id, interview.application.candidate.user, client_ip())
        except SlotGone:
            db.session.rollback()
            return render_template("public/interview_choice.html", state="gone", **page), 409
        db.session.commit()
        return render_template("public/interview_choice.html", state="booked", **page)
    gone = slot.status != "open" or not interview.open_slots() or interview.status != "proposed"
    state = "gone" if gone else "confirm"
    return render_template("public/interview_choice.html", state=state, **page)

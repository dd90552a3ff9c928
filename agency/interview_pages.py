"""The interview forms and pages the clinic's and the staff's areas share.

Blueprints never import each other, so what both show (propose times, one interview with its
reschedule, cancel and outcome forms) lives here; each blueprint checks who may reach the
application or interview and passes it in with its own layout and links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS, BaseForm, choices
from agency.models import Application, Audience, Interview, InterviewMode, Stage, utcnow
from agency.security import client_ip
from agency.services import clinic_portal, interviews
from agency.services.interviews import InterviewError, SlotInput
from agency.services.pipeline import PipelineError
from agency.timezones import clinic_zone

MODE_CHOICES = [
    (InterviewMode.IN_PERSON, "In person at the clinic"),
    (InterviewMode.PHONE, "By phone"),
    (InterviewMode.VIDEO, "By video (a link)"),
]
LENGTH_CHOICES = [(str(m), f"{m} minutes") for m in interviews.DURATIONS]
OUTCOME_CHOICES = [("attended", "Attended"), ("no_show", "Did not attend (no-show)")]
NEXT_CHOICES = [
    ("", "Keep at the interview stage for now"),
    (Stage.OFFERED, "Make an offer"),
    (Stage.REJECTED, "Decline the candidate"),
]


def local_start(day: Any, start: Any, zone: ZoneInfo) -> datetime:
    """A date and a wall-clock time at the clinic, as an aware datetime."""
    return datetime.combine(day, start if isinstance(start, time) else time(0), tzinfo=zone)


class SlotRow(Form):
    """One proposed time (a sub-form: the outer form carries the CSRF token)."""

    day = DateField("Date", validators=[Optional()])
    start = TimeField("Start", validators=[Optional()])
    length = SelectField("Length", choices=choices(LENGTH_CHOICES), default="30")


class ProposeForm(BaseForm):
    mode = RadioField(
        "How", choices=choices(MODE_CHOICES), default="in_person", validators=[InputRequired()]
    )
    video_url = StringField(
        "Video link",
        validators=[Optional(), Length(max=500)],
        description="For a video interview: the meeting's https:// address.",
    )
    details = TextAreaField(
        "Note for the candidate",
        validators=[Optional(), Length(max=500)],
        description="Optional: who calls whom, where to report, whom to ask for.",
    )
    slots = FieldList(
        FormField(SlotRow),
        min_entries=interviews.MAX_SLOTS,
        max_entries=interviews.MAX_SLOTS,
        label="Times",
    )

    zone: ZoneInfo = ZoneInfo("UTC")

    def validate_video_url(self, field: Any) -> None:
        if self.mode.data == InterviewMode.VIDEO and not interviews.valid_video_url(
            field.data or ""
        ):
            raise ValidationError("Enter the video link, starting with https://.")

    def validate_slots(self, field: Any) -> None:
        now, filled = utcnow(), 0
        for row in field:
            day, start = row.form.day, row.form.start
            if day.data is None and start.data is None and not day.errors and not start.errors:
                continue
            if day.data is None:
                if not day.errors:
                    day.errors = ["Enter the date."]
                continue
            if start.data is None:
                if not start.errors:
                    start.errors = ["Enter the start time."]
                continue
            if local_start(day.data, start.data, self.zone) <= now:
                day.errors = [*day.errors, "Choose a time in the future."]
                continue
            filled += 1
        if any(row.form.day.errors or row.form.start.errors for row in field):
            raise ValidationError("Correct the times marked below.")
        if filled < interviews.MIN_SLOTS:
            raise ValidationError(f"Propose at least {interviews.MIN_SLOTS} times.")

    def slot_inputs(self) -> list[SlotInput]:
        return [
            SlotInput(
                local_start(row.form.day.data, row.form.start.data, self.zone),
                int(row.form.length.data or 30),
            )
            for row in self.slots
            if row.form.day.data is not None and row.form.start.data is not None
        ]


class RescheduleForm(BaseForm):
    starts_on = DateField("New date", validators=[InputRequired(message="Enter the date.")])
    start = TimeField("New start", validators=[InputRequired(message="Enter the start time.")])
    duration = SelectField("Length", choices=choices(LENGTH_CHOICES), default="30")


class CancelForm(BaseForm):
    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(message="Please give a reason."), Length(max=500)],
        description="Read by the agency and the clinic; the candidate is told it is canceled.",
    )


class OutcomeForm(BaseForm):
    outcome = RadioField(
        "Did the candidate attend?",
        choices=choices(OUTCOME_CHOICES),
        validators=[InputRequired(message="Choose whether the candidate attended.")],
    )
    next_stage = SelectField("Next step", choices=choices(NEXT_CHOICES), default="")
    feedback = TextAreaField(
        "Feedback",
        validators=[Optional(), Length(max=2000)],
        description="Read by the agency (and your clinic); the candidate never reads it.",
    )


def _field_error(form: BaseForm, name: str | None, message: str) -> None:
    field = getattr(form, name or "", None)
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*(field.errors if isinstance(field.errors, list) else []), message]


# --- Proposing ----------------------------------------------------------------------------


@dataclass
class Frame:
    """What a blueprint passes in: its layout, and where to go back to."""

    layout: str
    back_url: str
    audience: str  # Audience value of the reader
    action_url: Any  # callable(endpoint_suffix) -> url for this interview's forms


def propose_page(application: Application, frame: Frame, action: str) -> ResponseReturnValue:
    """GET: the form; POST: propose the times and go back, or the form with its errors."""
    form = ProposeForm()
    form.zone = clinic_zone(application.opening.clinic)
    problem = interviews.can_propose(application)
    if problem is None and form.validate_on_submit():
        try:
            interviews.propose(
                application,
                current_user,
                form.slot_inputs(),
                form.mode.data,
                form.video_url.data or "",
                form.details.data or "",
                client_ip(),
            )
        except (InterviewError, PipelineError) as exc:
            db.session.rollback()
            _field_error(form, getattr(exc, "field", None), str(exc))
        else:
            db.session.commit()
            flash("The times are sent to the candidate. Everyone is told when one is booked.")
            return redirect(frame.back_url)
    status = FORM_ERROR_STATUS if form.is_submitted() else 200
    return render_template(
        "interviews/propose.html",
        form=form,
        application=application,
        frame=frame,
        action=action,
        problem=problem,
        zone_name=str(form.zone),
    ), status


# --- One interview ------------------------------------------------------------------------


def detail_page(
    interview: Interview,
    frame: Frame,
    *,
    reschedule_form: RescheduleForm | None = None,
    cancel_form: CancelForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    clinic = interview.application.opening.clinic
    return render_template(
        "interviews/detail.html",
        interview=interview,
        application=interview.application,
        frame=frame,
        when=interviews.local_time(interview.starts_at, clinic) if interview.starts_at else "",
        slot_times=[(s, interviews.local_time(s.starts_at, clinic)) for s in interview.slots],
        mode_words=interviews.MODE_WORDS[interview.mode],
        where=interviews.where(interview),
        feedback=interview.feedback_for(frame.audience),
        outcome_words=dict(OUTCOME_CHOICES),
        candidate_name=(
            clinic_portal.display_name(interview.application.candidate)
            if frame.audience == Audience.CLINIC
            else interview.application.candidate.full_name
        ),
        can_outcome=interviews.can_record_outcome(interview),
        reschedule_form=reschedule_form or RescheduleForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        outcome_form=outcome_form or OutcomeForm(formdata=None),
        zone_name=str(clinic_zone(clinic)),
    ), status


def _act(
    interview: Interview,
    frame: Frame,
    form: BaseForm,
    form_key: str,
    action: Callable[[], object],
    done: str,
    fallback_field: str | None = None,
) -> ResponseReturnValue:
    """Run `action` once the form is valid: commit and go back to the interview, or show the
    page again with the refusal next to its field (nothing kept)."""
    if form.validate_on_submit():
        try:
            action()
        except (InterviewError, PipelineError) as exc:
            db.session.rollback()
            _field_error(form, getattr(exc, "field", None) or fallback_field, str(exc))
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(frame.action_url(""))
    forms: dict[str, Any] = {form_key: form}
    return detail_page(interview, frame, **forms, status=FORM_ERROR_STATUS)


def reschedule(interview: Interview, frame: Frame) -> ResponseReturnValue:
    form = RescheduleForm()

    def move() -> object:
        zone = clinic_zone(interview.application.opening.clinic)
        start = local_start(form.starts_on.data, form.start.data, zone)
        slot = SlotInput(start, int(form.duration.data))
        return interviews.reschedule(interview, current_user, slot, client_ip())

    done = "The interview is moved; everyone gets the updated invitation."
    return _act(interview, frame, form, "reschedule_form", move, done)


def cancel(interview: Interview, frame: Frame) -> ResponseReturnValue:
    form = CancelForm()

    def call_off() -> object:
        return interviews.cancel(interview, current_user, form.reason.data, client_ip())

    done = "The interview is canceled; everyone is told."
    return _act(interview, frame, form, "cancel_form", call_off, done)


def record_outcome(interview: Interview, frame: Frame) -> ResponseReturnValue:
    form = OutcomeForm()

    def record() -> object:
        return interviews.record_outcome(
            interview,
            current_user,
            form.outcome.data,
            form.feedback.data or "",
            form.next_stage.data or "",
            client_ip(),
        )

    done = "The outcome is recorded."
    return _act(interview, frame, form, "outcome_form", record, done, "next_stage")

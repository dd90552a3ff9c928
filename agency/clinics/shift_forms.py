"""The clinic's shift forms: requesting a shift, canceling it, marking attendance."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, IntegerField, RadioField, SelectField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from agency.forms import BaseForm, choices
from agency.services.shifts import ATTENDANCE_WORDS, ShiftRequest


class ShiftRequestForm(BaseForm):
    opening_id = SelectField("Opening", validators=[InputRequired()])
    day = DateField("Date", validators=[InputRequired(message="Enter the date of the shift.")])
    start = TimeField("Starts", validators=[InputRequired(message="Enter the start time.")])
    end = TimeField(
        "Ends",
        validators=[InputRequired(message="Enter the end time.")],
        description="An end before the start means the next morning.",
    )
    break_minutes = IntegerField(
        "Unpaid break (minutes)", default=30, validators=[Optional(), NumberRange(min=0, max=240)]
    )
    headcount = IntegerField(
        "How many people", default=1, validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    notes = TextAreaField(
        "Notes for the worker",
        validators=[Optional(), Length(max=2000)],
        description="Where to report, parking, who to ask for. The worker sees this.",
    )

    def __init__(self, *args: Any, openings: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opening_id.choices = choices(
            [
                (str(o.id), f"{o.title} ({o.employment_type.replace('_', ' ')})")
                for o in openings or []
            ]
        )

    def to_request(self) -> ShiftRequest:
        return ShiftRequest(
            opening_id=int(self.opening_id.data),
            day=self.day.data,
            start=self.start.data,
            end=self.end.data,
            break_minutes=self.break_minutes.data or 0,
            headcount=self.headcount.data,
            notes=self.notes.data or "",
        )


class CancelShiftForm(BaseForm):
    reason = TextAreaField(
        "Why is the shift canceled?",
        validators=[InputRequired(message="Say why the shift is canceled."), Length(max=1000)],
    )


class AttendanceForm(BaseForm):
    outcome = RadioField(
        "How did it go?",
        choices=choices(list(ATTENDANCE_WORDS.items())),
        validators=[InputRequired(message="Choose attended, late or no-show.")],
    )

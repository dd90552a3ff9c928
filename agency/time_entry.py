"""The hours of one timesheet as a form: the worker submits them, staff correct them on a
dispute, with the same fields, checks and reading of a time past midnight."""

from __future__ import annotations

from wtforms import DateField, IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from agency.forms import BaseForm
from agency.services.timesheets import Times


class TimeEntryForm(BaseForm):
    day = DateField("Date started", validators=[InputRequired(message="Enter the date.")])
    start = TimeField("Started", validators=[InputRequired(message="Enter the start time.")])
    end = TimeField(
        "Finished",
        validators=[InputRequired(message="Enter the time it finished.")],
        description="A time before the start means the next morning.",
    )
    break_minutes = IntegerField(
        "Unpaid break (minutes)",
        default=0,
        validators=[
            InputRequired(message="Enter the break (0 for none)."),
            NumberRange(min=0, max=240, message="Enter 0 to 240 minutes."),
        ],
    )

    def times(self) -> Times:
        return Times(self.day.data, self.start.data, self.end.data, self.break_minutes.data or 0)

    def show(self, times: Times) -> None:
        """Fill the fields with a sheet's times (the page before anything is posted)."""
        self.day.data, self.start.data, self.end.data = times.day, times.start, times.end
        self.break_minutes.data = times.break_minutes

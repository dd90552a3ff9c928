"""The forms of talent pools, saved searches and staff messages."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from agency.forms import BaseForm
from agency.ids import MAX_ID

MAX_BULK = 500  # candidates one request may add or remove


def candidate_ids(data: list[int] | None) -> list[int]:
    """The checked ids that can name a row, at most MAX_BULK of them."""
    return sorted({i for i in data or [] if 0 < i <= MAX_ID})[:MAX_BULK]


class PoolNameForm(BaseForm):
    name = StringField("Pool name", validators=[DataRequired(), Length(max=120)])


class PoolMembersForm(BaseForm):
    """Add (or remove) candidates: a pool and the checked candidates."""

    pool_id = SelectField("Pool", choices=[])
    candidate_ids = SelectMultipleField("Candidates", coerce=int, validate_choice=False)
    back = HiddenField()


class RemoveMembersForm(BaseForm):
    candidate_ids = SelectMultipleField("Candidates", coerce=int, validate_choice=False)


class RankPoolForm(BaseForm):
    """A GET form (it changes nothing): no CSRF token."""

    class Meta:
        csrf = False

    opening_id = SelectField("Rank against the opening", choices=[])


class SaveSearchForm(BaseForm):
    name = StringField("Name this search", validators=[DataRequired(), Length(max=120)])
    alert = BooleanField("E-mail me a daily summary of new candidates who match")
    # The search's query string, as the list page had it.
    query = HiddenField(validators=[Length(max=2000)])


class AlertForm(BaseForm):
    alert = BooleanField("Daily e-mail of new matches")


class ConfirmForm(BaseForm):
    """The CSRF token alone (delete buttons)."""


class TemplateForm(BaseForm):
    name = StringField("Template name", validators=[DataRequired(), Length(max=120)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=10_000)])


class MessageForm(BaseForm):
    """A message to one candidate or a pool: typed, or started from a template."""

    template_id = SelectField("Start from a template", choices=[], validators=[Optional()])
    opening_id = SelectField("About the opening", choices=[], validators=[Optional()])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=10_000)])

"""The Python template helpers (agency/ui_markup.py, agency/field_markup.py): what a user sees,
and that nothing a user typed can become markup."""

from __future__ import annotations

from flask import Flask, render_template_string
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import NumberInput

from agency.forms import BaseForm, choices

EVIL = '<script>alert("x")</script>'


class Probe(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired()], description="As on your ID")
    role = SelectField("Role", choices=choices([("a", "A"), ("b", EVIL)]))
    ok = BooleanField("I agree")
    days = SelectMultipleField(
        "Days",
        choices=choices([(d, d) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


def _render(source: str, **context: object) -> str:
    return render_template_string(source, **context)


def test_ui_helpers_escape_what_they_are_given(app: Flask) -> None:
    with app.test_request_context("/"):
        html = _render(
            '{% from "_macros/ui.html" import badge, icon, score_meter, role_label %}'
            "{{ badge(evil, 'nonsense') }}{{ icon('clinic', label=evil) }}"
            "{{ score_meter(150, label=evil) }}{{ score_meter('junk') }}{{ role_label(evil) }}"
            "{{ role_label('secretary') }}",
            evil=EVIL,
        )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'class="badge badge-muted"' in html  # an unknown kind falls back
    assert 'value="100.0"' in html and "100/100" in html  # clamped
    assert 'value="0.0"' in html  # not a number counts as 0
    assert "Medical secretary" in html
    assert 'href="/static/icons.svg#clinic"' in html


def test_render_field_shows_label_help_and_errors_next_to_the_field(app: Flask) -> None:
    with app.test_request_context("/", method="POST", data={"name": "", "role": "b"}):
        form = Probe()
        assert not form.validate()
        html = _render(
            '{% from "_macros/forms.html" import render_field %}'
            "{{ render_field(form.name, placeholder=evil) }}{{ render_field(form.role) }}"
            "{{ render_field(form.ok) }}{{ render_field(form.days, inline=True) }}",
            form=form,
            evil=EVIL,
        )
    assert '<label for="name">Name<span class="req" aria-hidden="true"> *</span></label>' in html
    assert 'aria-describedby="name-help name-error"' in html and 'aria-invalid="true"' in html
    assert '<p class="field-error" id="name-error">This field is required.</p>' in html
    assert '<p class="help" id="name-help">As on your ID</p>' in html
    assert "<script>" not in html
    assert 'class="field field-check"' in html
    assert '<fieldset class="field" id="days">' in html and "choices-inline" in html


class Selects(BaseForm):
    class Meta:
        csrf = False

    plain = SelectField("Plain", choices=choices([("", "Any"), ("a", "A"), ("b", EVIL)]))
    numbers = SelectField(
        "Numbers",
        coerce=int,
        choices=choices([("10", "10 miles"), ("25", "25 miles")]),
        render_kw={"data_kind": "radius"},
        validators=[DataRequired()],
    )
    grouped = SelectField(
        "Grouped",
        choices=[
            SelectChoice("r", "Reception", optgroup="Front"),
            SelectChoice("s", optgroup="Back"),
        ],
    )

    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=40)])
    pay = DecimalField("Pay", validators=[Optional(), NumberRange(min=0, max=500)])
    hours = IntegerField("Hours", widget=NumberInput(step=1, min=0), validators=[Optional()])
    when = DateField("When", validators=[Optional()])
    email = EmailField("E-mail")
    secret = PasswordField("Password")
    agree = BooleanField("Agree")
    consent = BooleanField("Consent", validators=[DataRequired()])


def test_widget_markup_is_wtforms_own_and_keeps_what_was_typed(app: Flask) -> None:
    from agency.field_markup import _widget

    data = {
        "plain": "b",
        "numbers": "25",
        "grouped": "s",
        "name": 'O"Brien <b>',
        "pay": "x",
        "hours": "7",
        "when": "2026-13-01",
        "email": "a@b.test",
        "secret": "hunter2",
        "agree": "y",
    }
    with app.test_request_context("/", method="POST", data=data):
        form = Selects()
        form.validate()
        for field, attrs in (
            (form.plain, {}),
            (form.plain, {"class_": "wide", "aria-describedby": "x-help", "disabled": True}),
            (form.numbers, {"data_x": "1"}),
            (form.grouped, {}),
            (form.name, {"placeholder": EVIL, "aria-describedby": "name-help"}),
            (form.name, {"type": "search", "value": "kept"}),
            (form.name, {"data_note": Markup('say "hi"'), "readonly": False, "autofocus": True}),
            (form.pay, {"inputmode": "decimal", "min": 1}),
            (form.hours, {}),
            (form.when, {}),
            (form.email, {"autocomplete": "email"}),
            (form.secret, {}),
            (form.agree, {"class_": "check"}),
            (form.consent, {}),
            (form.agree, {"checked": False}),
        ):
            assert str(_widget(field, dict(attrs))) == str(field(**attrs))
        html = str(_widget(form.plain, {}))
    # What a user sees: their choice stays selected, and a label can never become markup.
    assert '<option selected value="b">&lt;script&gt;' in html
    assert '<option value="">Any</option>' in html and "<script>" not in html
    typed = str(_widget(form.name, {}))
    assert 'value="O&#34;Brien &lt;b&gt;"' in typed and 'maxlength="40"' in typed
    assert 'value="2026-13-01"' in str(_widget(form.when, {}))  # an invalid date stays as typed
    assert "hunter2" not in str(_widget(form.secret, {}))
    assert "checked" in str(_widget(form.agree, {}))  # a ticked box stays ticked
    assert "checked" not in str(_widget(form.consent, {})) and "required" in str(
        _widget(form.consent, {})
    )

"""The shared template macros (templates/_macros/ui.html and forms.html): what a user sees, and
that nothing a user typed can become markup."""

from __future__ import annotations

from flask import Flask, render_template_string
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, Length

from agency.forms import BaseForm, choices

EVIL = '<script>alert("x")</script>'


class Probe(BaseForm):
    class Meta:
        csrf = False

    name = StringField(
        "Name", validators=[DataRequired(), Length(max=40)], description="As on your ID"
    )
    role = SelectField("Role", choices=choices([("", "Any"), ("a", "A"), ("b", EVIL)]))
    ok = BooleanField("I agree")
    secret = PasswordField("Password")
    days = SelectMultipleField(
        "Days",
        choices=choices([(d, d) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


def test_ui_macros_escape_what_they_are_given(app: Flask) -> None:
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_macros/ui.html" import badge, icon, score_meter, role_label %}'
            "{{ badge(evil, 'nonsense') }}{{ icon('clinic', label=evil) }}"
            "{{ score_meter(150, label=evil) }}{{ score_meter('junk') }}{{ role_label(evil) }}"
            "|{{ role_label('secretary') }}|{{ icon('map-pin') }}",
            evil=EVIL,
        )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'class="badge badge-muted"' in html  # an unknown kind falls back
    assert 'value="100.0"' in html and "100/100" in html  # clamped
    assert 'value="0.0"' in html  # not a number counts as 0
    assert "|Medical secretary|" in html
    assert 'role="img"' in html and 'href="/static/icons.svg#clinic"' in html
    assert 'aria-hidden="true" focusable="false"><use href="/static/icons.svg#map-pin">' in html


def test_render_field_shows_label_help_and_errors_next_to_the_field(app: Flask) -> None:
    data = {"name": "", "role": "b", "ok": "y", "secret": "hunter2", "days": ["Tue"]}
    with app.test_request_context("/", method="POST", data=data):
        form = Probe()
        assert not form.validate()
        html = render_template_string(
            '{% from "_macros/forms.html" import render_field %}'
            "{{ render_field(form.name, placeholder=evil) }}{{ render_field(form.role) }}"
            "{{ render_field(form.ok) }}{{ render_field(form.secret) }}"
            "{{ render_field(form.days, inline=True) }}",
            form=form,
            evil=EVIL,
        )
    assert '<label for="name">Name<span class="req" aria-hidden="true"> *</span></label>' in html
    assert 'aria-describedby="name-help name-error"' in html and 'aria-invalid="true"' in html
    assert '<p class="field-error" id="name-error">This field is required.</p>' in html
    assert '<p class="help" id="name-help">As on your ID</p>' in html
    assert 'maxlength="40"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    # What the user chose or ticked stays so; a password never comes back.
    assert '<option selected value="b">' in html
    assert 'class="field field-check"' in html and '<input checked id="ok"' in html
    assert "hunter2" not in html
    assert '<fieldset class="field" id="days">' in html and "choices-inline" in html
    assert '<input checked id="days-1" name="days" type="checkbox" value="Tue">' in html
    assert '<input id="days-0" name="days" type="checkbox" value="Mon">' in html

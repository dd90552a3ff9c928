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
from wtforms.fields.choices import SelectChoice
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


class Selects(BaseForm):
    class Meta:
        csrf = False

    plain = SelectField("Plain", choices=choices([("", "Any"), ("a", "A"), ("b", EVIL)]))
    marked = SelectField(
        "Marked",
        validators=[DataRequired()],
        choices=[SelectChoice("x", "X"), SelectChoice("y", "", render_kw={"data-note": "n"})],
        render_kw={"class": "compact", "data-autosubmit": True, "disabled": True},
    )


def _select_parts(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The <select> and <option> tags of a page, with their attributes, in order (and the
    options' text), whatever order the attributes were written in."""
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str | None]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("select", "option"):
                found.append((tag, dict(attrs)))

        def handle_data(self, data: str) -> None:
            if found and found[-1][0] == "option" and data.strip():
                found[-1][1]["text"] = data

    Parser().feed(html)
    return found


def test_a_select_written_by_the_macro_says_what_wtforms_widget_says(app: Flask) -> None:
    with app.test_request_context("/", method="POST", data={"plain": "b", "marked": "y"}):
        form = Selects()
        form.validate()
        seen = []
        for field, extra in ((form.plain, {}), (form.marked, {"aria_label": "m", "class_": "x"})):
            by_macro = render_template_string(
                '{% from "_macros/forms.html" import render_field %}{{ render_field(f, **kw) }}',
                f=field,
                kw=extra,
            )
            by_widget = str(field(**extra))
            assert _select_parts(by_macro) == _select_parts(by_widget)
            assert "<script>" not in by_macro
            seen += _select_parts(by_macro)
    assert ("option", {"selected": None, "value": "b", "text": EVIL}) in seen
    assert ("option", {"selected": None, "value": "y", "data-note": "n", "text": "y"}) in seen
    marked = next(attrs for tag, attrs in seen if tag == "select" and attrs["name"] == "marked")
    assert marked["class"] == "x" and "disabled" in marked and "required" in marked

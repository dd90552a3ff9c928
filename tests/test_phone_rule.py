"""The phone rule's shortcut for a number already written as the rule writes it agrees with
phonenumbers, which judges every other input."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from agency.forms import BaseForm, us_phone


class PhoneForm(BaseForm):
    phone = StringField("Phone", validators=[us_phone])


def judged(app, value: str) -> tuple[bool, str]:
    with app.test_request_context():
        form = PhoneForm(formdata=MultiDict({"phone": value}), meta={"csrf": False})
        return form.validate(), form.phone.data


def by_phonenumbers(value: str) -> tuple[bool, str]:
    number = phonenumbers.parse(value, "US")
    if not phonenumbers.is_possible_number(number):
        return False, value
    return True, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def test_every_area_code_written_nationally_is_kept_as_phonenumbers_would(app) -> None:
    rng = random.Random(5)
    for area in range(200, 1000):
        for exchange in (0, 1, 100, 555, 911, rng.randint(0, 999)):
            value = f"({area}) {exchange:03d}-{rng.randint(0, 9999):04d}"
            assert judged(app, value) == by_phonenumbers(value) == (True, value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("617-555-0123", "(617) 555-0123"),
        ("(617)555-0123", "(617) 555-0123"),
        ("+1 617 555 0123", "(617) 555-0123"),
        ("(\u0666\u0661\u0667) 555-0123", "(617) 555-0123"),  # Arabic-Indic digits rewritten
    ],
)
def test_other_spellings_are_rewritten_as_before(app, value: str, expected: str) -> None:
    assert judged(app, value) == (True, expected)


@pytest.mark.parametrize("value", ["(123) 456-78", "call me", "(617) 555-01234567890123"])
def test_impossible_numbers_are_refused(app, value: str) -> None:
    assert judged(app, value)[0] is False

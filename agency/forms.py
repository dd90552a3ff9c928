"""The base form every blueprint's forms extend, and validators shared across them."""

from __future__ import annotations

from typing import Any

import phonenumbers
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from agency.services import geo

# One status for every form re-shown with its errors (and the input kept), whoever's form it is:
# the page is a normal answer that asks for a correction, as most of our forms always answered.
FORM_ERROR_STATUS = 200


def _strip(value: Any) -> Any:
    # NUL bytes are never meant and PostgreSQL refuses them in text (a 500 otherwise). Browsers
    # send a textarea's line breaks as \r\n: stored as \n, so paragraphs split the same way.
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every text input but passwords (as indico's forms do)."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = list(unbound_field.kwargs.get("filters", []))
            # A password is kept exactly as typed: spaces may be part of it.
            if not issubclass(unbound_field.field_class, PasswordField):
                filters.insert(0, _strip)
            return unbound_field.bind(form=form, filters=filters, **options)


def us_zip(_form: Any, field: Field) -> None:
    if field.data and geo.lookup_zip(field.data) is None:
        raise ValidationError("Enter a real 5-digit US ZIP code.")


def us_phone(_form: Any, field: Field) -> None:
    if not field.data:
        return
    try:
        number = phonenumbers.parse(field.data, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a phone number like (617) 555-0123.") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("Enter a phone number like (617) 555-0123.")
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class PasswordPolicy:
    """12 to 128 characters, not the e-mail, not a common password."""

    def __init__(self, email_field: str | None = "email") -> None:
        self.email_field = email_field

    def __call__(self, form: Any, field: Field) -> None:
        from agency.services.password_policy import problems

        email = getattr(form, self.email_field).data if self.email_field else None
        found = problems(field.data or "", email=email)
        if found:
            raise ValidationError(found[0])


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]

"""The base form every blueprint's forms extend, validators shared across them, and the
query-string numbers and dates the pages read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import phonenumbers
from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import DateField, Field, FieldList, FileField, FormField, IntegerField, PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, ValidationError
from wtforms.widgets import NumberInput, TextInput

from agency.services import geo
from agency.services.errors import FieldError

NUL_MESSAGE = "Remove the invisible NUL character from this text."

# One status for every form re-shown with its errors (and the input kept), whoever's form it is:
# the page is a normal answer that asks for a correction, as most of our forms always answered.
FORM_ERROR_STATUS = 200


def _strip(value: Any) -> Any:
    # NUL is taken out of the data at once, so no view ever hands it to PostgreSQL (which
    # refuses it in text); validate() still refuses the input with a message next to the field.
    # Browsers send a textarea's line breaks as \r\n: stored as \n, so paragraphs split the same.
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


# Dates anyone means: outside these, arithmetic a page does (the day after, the week after)
# overflows Python's date, and no shift, credential or report lies there.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 1900 and 2199."


def date_arg(raw: str | None, default: date) -> date:
    """A date from a query string (YYYY-MM-DD); the default when it is missing, unreadable or
    outside the years anyone means."""
    try:
        found = date.fromisoformat((raw or "")[:10])
    except ValueError:
        return default
    return found if EARLIEST_DATE <= found <= LATEST_DATE else default


MAX_PAGE = 10_000


def page_arg() -> int:
    """The ?page= number, 1 when missing or nonsense, capped so OFFSET stays sane."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _has_nul(field: Field) -> bool:
    return any(isinstance(item, str) and "\x00" in item for item in field.raw_data or ())


class NumberText(TextInput):
    """A number typed as text, with the phone's number keyboard (`inputmode`), as GOV.UK's
    design system advises: a browser sends a `type=number` field holding "ten" or "60 wpm" as
    empty, so an optional number was silently dropped instead of shown back with its error."""

    def __init__(self, inputmode: str) -> None:
        super().__init__()
        self.inputmode = inputmode

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        kwargs.setdefault("inputmode", self.inputmode)
        return super().__call__(field, **kwargs)


class BaseForm(FlaskForm):
    """The base of every form: strips surrounding whitespace from every text input but passwords
    (as indico's forms do), refuses NUL bytes in any field and dates outside 1900-2199 in any date
    field, reads a file part only in a file field (anywhere else it is dropped, as if that part
    had not been sent), and renders number fields as text (`NumberText`)."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = list(unbound_field.kwargs.get("filters", []))
            # A password is kept exactly as typed: spaces may be part of it. A field group
            # (FieldList, FormField) takes no filters: its own fields are text fields.
            if not issubclass(unbound_field.field_class, PasswordField | FieldList | FormField):
                filters.insert(0, _strip)
            field = unbound_field.bind(form=form, filters=filters, **options)
            if isinstance(field.widget, NumberInput):
                whole = isinstance(field, IntegerField)
                field.widget = NumberText("numeric" if whole else "decimal")
            return field

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            # A file under a text field's name would reach validators and views as a FileStorage
            # where they expect a string (a TypeError, a 500); text under a file field's name
            # is no file either, and a JSON body's numbers, lists or objects are no form input.
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            kept: MultiDict[str, Any] = MultiDict()
            for name, value in data.items(multi=True):
                expected = FileStorage if name in file_fields else str
                if isinstance(value, expected):
                    kept.add(name, value)
            return kept

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if field.process_errors:
                field.errors = _one_reading_error(field)
            problems = base_problems(field)
            if problems:
                field.errors = [*field.errors, *problems]
                ok = False
        return ok


def _one_reading_error(field: Field) -> list[str]:
    """The errors of a field whose input could not be read, said once. Something typed ("abc"
    in a number field) is that one error: the validators after it judged a value that is not
    there ("Number must be between 0 and 500."). Nothing typed is the validators' word for it
    ("Enter the date."), not also "Not a valid date value."."""
    typed = any(isinstance(raw, str) and raw.strip() for raw in field.raw_data or ())
    if typed:
        return list(field.process_errors)
    judged = [error for error in field.errors if error not in field.process_errors]
    return judged or list(field.process_errors)


def base_problems(field: Field) -> list[str]:
    """What every form refuses in a field beyond the field's own validators (BaseForm.validate
    adds these; the import's field-by-field checks too)."""
    problems = []
    if _has_nul(field):
        problems.append(NUL_MESSAGE)
    if (
        isinstance(field, DateField)
        and isinstance(field.data, date)
        and not EARLIEST_DATE <= field.data <= LATEST_DATE
    ):
        problems.append(DATE_RANGE_MESSAGE)
    return problems


def show_field_error(form: FlaskForm, exc: FieldError, default: str | None = None) -> None:
    """Show a service's refusal where the user will look: next to the field it names, else next
    to `default`, else above the form (form_errors)."""
    name = exc.field if exc.field and exc.field in form else default
    if name is None or name not in form:
        form.form_errors.append(str(exc))
        return
    field = form[name]
    field.errors = [*field.errors, str(exc)]


def us_zip(_form: Any, field: Field) -> None:
    if field.data and geo.lookup_zip(field.data) is None:
        raise ValidationError("Enter a real 5-digit US ZIP code.")


# A US number already written as the rule writes it: phonenumbers gives it back unchanged (for
# every area code and exchange; tests/test_phone_rule.py checks every area code), so the parse,
# a third of an imported row's checks, is skipped. ASCII digits only: others are rewritten.
_US_NATIONAL = re.compile(r"\([2-9][0-9][0-9]\) [0-9]{3}-[0-9]{4}")


def us_phone(_form: Any, field: Field) -> None:
    if not field.data or _US_NATIONAL.fullmatch(field.data):
        return
    try:
        number = phonenumbers.parse(field.data, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a phone number like (617) 555-0123.") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("Enter a phone number like (617) 555-0123.")
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# An address plainly written in ASCII: dot-atom characters before the @, hostname labels after
# it, a TLD of letters. email_validator accepts each such address unless it trips one of the
# checks `EmailAddress` adds in Python (the lengths, "--" in the domain, a special-use TLD);
# tests/test_email_rule.py holds the two verdicts equal over a large generated set. Checking a
# plain address this way costs a regular expression instead of the library's work per
# character (Unicode normalisation, character classes): most of an imported row's checks.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(
    rf"(?P<local>{_ATEXT}+(?:\.{_ATEXT}+)*)@(?:{_LABEL}\.)+(?P<tld>[A-Za-z]{{2,63}})"
)
# email_validator's SPECIAL_USE_DOMAIN_NAMES: all single labels, so a TLD equal to one of them is
# the check. (A TLD it does not list falls to the library, which then decides.)
_SPECIAL_TLDS = frozenset(("arpa", "invalid", "local", "localhost", "onion", "test"))


def plainly_valid_email(value: str) -> bool:
    """Whether email_validator (without the DNS check) would accept `value`, answered without
    it for an address plainly written in ASCII. False means "ask the library", not "invalid"."""
    if len(value) > 254:  # the library's limit on the whole address
        return False
    found = _PLAIN_EMAIL.fullmatch(value)
    return (
        found is not None
        and len(found["local"]) <= 64  # the library's limit in its strict mode
        and "--" not in value[found.end("local") :]  # Punycode and reserved labels: the library
        and found["tld"].lower() not in _SPECIAL_TLDS
    )


class EmailAddress(Email):
    """WTForms' Email rule (email_validator, no DNS check), with a plain ASCII address
    accepted by `plainly_valid_email` first: everything else, and every refusal with its
    message, still comes from the library."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message=message, check_deliverability=False)

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and plainly_valid_email(field.data):
            return
        super().__call__(form, field)


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


def choices(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]

"""A candidate row is checked field by field, each value once, and must answer exactly as the
staff intake form does for the whole row."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from agency.forms import BaseForm
from agency.staff.forms import CandidateIntakeForm
from agency.staff.import_rows import CandidateRows, FieldByField

ROW = {
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.com",
    "phone": "617 555 0101",
    "zip_code": "02139",
    "desired_role": "receptionist",
    "years_experience": "3",
}
VARIANTS: list[dict[str, str]] = [
    {},
    {"email": ""},
    {"email": "not-an-email"},
    {"email": "  spaced@example.com  "},
    {"phone": "12"},
    {"phone": ""},
    {"phone": "+1 (617) 555-0199"},
    {"zip_code": "00000"},
    {"zip_code": "02139-1234"},
    {"desired_role": "astronaut"},
    {"years_experience": "lots"},
    {"years_experience": "61"},
    {"years_experience": ""},
    {"first_name": "H" * 101},
    {"first_name": "Ann\x00"},
    {"first_name": "", "email": "bad", "phone": "12"},
]


def _whole_form(values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    form = CandidateIntakeForm(formdata=None, meta={"csrf": False})
    form.process(MultiDict(values))
    if form.validate():
        return form.data, []
    return {}, [(name, errors[0]) for name, errors in form.errors.items() if errors]


def test_each_row_gets_the_whole_forms_answer_also_when_values_repeat(app: Any) -> None:
    with app.test_request_context():
        check = CandidateRows()
        assert check.fields is not None  # the intake form's rules are field by field
        rows = [{**ROW, **variant} for variant in VARIANTS]
        rows.append({k: v for k, v in ROW.items() if k != "phone"})  # a column not mapped
        for _ in range(2):  # the second time every value is remembered
            for values in rows:
                data, problems = check(values)
                expected_data, expected_problems = _whole_form(values)
                assert problems == expected_problems, values
                if not problems:
                    assert data == {**expected_data, "skills": {}}, values


class _PasswordsMatch(BaseForm):
    password = StringField()
    again = StringField()

    def validate_again(self, field: Any) -> None:  # a rule that reads another field
        pass


def test_a_form_whose_rules_span_fields_is_checked_whole(app: Any) -> None:
    with app.test_request_context():
        assert FieldByField.for_form(_PasswordsMatch(formdata=None, meta={"csrf": False})) is None
        intake = CandidateIntakeForm(formdata=None, meta={"csrf": False})
        assert FieldByField.for_form(intake) is not None

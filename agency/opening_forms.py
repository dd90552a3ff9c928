"""The opening form the clinic's pages and the staff's job-order intake share: one set of fields
and rules (one level/importance pair per skill), so an opening is checked the same way whoever
types it in."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from agency.forms import BaseForm, choices
from agency.models import EmploymentType
from agency.services import openings, regional
from agency.services.engine import taxonomy
from agency.services.openings import OpeningDraft

ROLE_CHOICES = [
    ("receptionist", "Medical receptionist (front desk)"),
    ("secretary", "Medical secretary (back office)"),
    ("hybrid", "Hybrid: both front desk and back office"),
]
EMPLOYMENT_CHOICES = [
    (EmploymentType.TEMP, "Temporary"),
    (EmploymentType.TEMP_TO_HIRE, "Temp to hire"),
    (EmploymentType.PERMANENT, "Permanent"),
    (EmploymentType.PER_DIEM, "Per diem"),
]
LEVEL_CHOICES = [
    ("", "Not needed"),
    ("0", "Nice to have"),
    ("1", "Basic"),
    ("2", "Working"),
    ("3", "Strong"),
    ("4", "Expert"),
]
IMPORTANCE = {"low": 0.25, "medium": 0.5, "high": 0.75, "essential": 1.0}
IMPORTANCE_CHOICES = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
    ("essential", "Essential"),
]


def finite_number(_form: Any, field: Any) -> None:
    """Refuse NaN and infinity, which parse as decimals but compare badly."""
    value = field.data
    try:
        ok = value is None or (isinstance(value, Decimal) and value.is_finite())
    except (InvalidOperation, TypeError):
        ok = False
    if not ok:
        raise StopValidation("Enter a number.")


def importance_of(weight: float) -> str:
    return min(IMPORTANCE, key=lambda k: abs(IMPORTANCE[k] - weight))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def taxonomy_choices(kind: str) -> list[tuple[str, str]]:
    tax = regional.taxonomy()
    if kind == "credentials":
        return [(c.code, f"{c.code}: {c.name}") for c in tax.credentials]
    items = tax.ehr if kind == "ehr" else tax.language_defs
    return [(i.code, i.name) for i in items]


class _OpeningFormBase(BaseForm):
    title = StringField("Job title", validators=[InputRequired(), Length(max=openings.MAX_TITLE)])
    role_type = RadioField("Role", choices=choices(ROLE_CHOICES), validators=[InputRequired()])
    description = TextAreaField(
        "Duties and description",
        validators=[Optional(), Length(max=openings.MAX_TEXT)],
        description="Shown on the job board.",
    )
    employment_type = SelectField(
        "Employment type", choices=choices(EMPLOYMENT_CHOICES), validators=[InputRequired()]
    )
    positions = IntegerField(
        "Positions",
        default=1,
        validators=[InputRequired(), NumberRange(*openings.POSITIONS)],
    )
    start_date = DateField("Start date", validators=[InputRequired()])
    end_date = DateField(
        "End date", validators=[Optional()], description="Leave empty for a permanent role."
    )
    pay_min = DecimalField(
        "Pay from ($ an hour)",
        places=2,
        validators=[Optional(), finite_number, NumberRange(0, openings.MAX_PAY)],
    )
    pay_max = DecimalField(
        "Pay up to ($ an hour)",
        places=2,
        validators=[Optional(), finite_number, NumberRange(0, openings.MAX_PAY)],
    )
    min_typing_wpm = IntegerField(
        "Minimum typing speed (words a minute)",
        validators=[Optional(), NumberRange(*openings.TYPING_WPM)],
    )
    schedule = SelectMultipleField(
        "Shift schedule",
        choices=choices([(str(b), str(b)) for b, _, _ in openings.cells()]),
        validators=[Optional()],
        description="Tick every block the person works. Leave empty for a flexible schedule.",
    )
    credentials = MultiCheckboxField("Required certifications", validators=[Optional()])
    ehr_systems = MultiCheckboxField("EHR systems", validators=[Optional()])
    languages = MultiCheckboxField("Languages", validators=[Optional()])
    publish = SubmitField("Save and publish")
    save_draft = SubmitField("Save as draft")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.credentials.choices = choices(taxonomy_choices("credentials"))
        self.ehr_systems.choices = choices(taxonomy_choices("ehr"))
        self.languages.choices = choices(taxonomy_choices("languages"))

    # ---- skills, grouped as the taxonomy groups them ----

    def skill_groups(self) -> list[tuple[str, list[tuple[str, Any, Any]]]]:
        tax = taxonomy()
        groups = []
        for category in tax.categories:
            rows = [
                (s.name, self[f"level_{s.code}"], self[f"weight_{s.code}"])
                for s in tax.skills
                if s.category == category.code
            ]
            if rows:
                groups.append((category.name, rows))
        return groups

    def skill_errors(self) -> list[str]:
        return [
            e
            for s in taxonomy().skills
            for n in ("level", "weight")
            for e in self[f"{n}_{s.code}"].errors
        ]

    def selected_bits(self) -> set[int]:
        out = set()
        for value in self.schedule.data or []:
            try:
                out.add(int(value))
            except (TypeError, ValueError):
                continue
        return out

    def to_draft(self) -> OpeningDraft:
        skills: dict[str, tuple[int, float]] = {}
        for s in taxonomy().skills:
            level = self[f"level_{s.code}"].data
            if level not in (None, ""):
                skills[s.code] = (int(level), IMPORTANCE.get(self[f"weight_{s.code}"].data, 0.5))
        return OpeningDraft(
            title=self.title.data or "",
            role_type=self.role_type.data,
            description=self.description.data or "",
            employment_type=self.employment_type.data,
            positions=self.positions.data or 1,
            shift_mask=openings.mask_from_bits(self.selected_bits()),
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            pay_min=self.pay_min.data,
            pay_max=self.pay_max.data,
            min_typing_wpm=self.min_typing_wpm.data,
            ehr_systems=list(self.ehr_systems.data or []),
            languages=list(self.languages.data or []),
            skills=skills,
            credentials=list(self.credentials.data or []),
        )

    @staticmethod
    def data_from(draft: OpeningDraft) -> dict[str, Any]:
        """Initial field values for a draft (for `OpeningForm(formdata=None, data=...)`)."""
        data: dict[str, Any] = {
            "title": draft.title,
            "role_type": draft.role_type,
            "description": draft.description,
            "employment_type": draft.employment_type,
            "positions": draft.positions,
            "start_date": draft.start_date,
            "end_date": draft.end_date,
            "pay_min": draft.pay_min,
            "pay_max": draft.pay_max,
            "min_typing_wpm": draft.min_typing_wpm,
            "schedule": [str(b) for b in openings.bits_from_mask(draft.shift_mask)],
            "credentials": list(draft.credentials),
            "ehr_systems": list(draft.ehr_systems),
            "languages": list(draft.languages),
        }
        for s in taxonomy().skills:
            level, weight = draft.skills.get(s.code, (None, 0.5))
            data[f"level_{s.code}"] = "" if level is None else str(level)
            data[f"weight_{s.code}"] = importance_of(weight)
        return data


def _skill_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for s in taxonomy().skills:
        fields[f"level_{s.code}"] = SelectField(
            f"{s.name}: minimum level",
            choices=choices(LEVEL_CHOICES),
            default="",
            validators=[Optional()],
        )
        fields[f"weight_{s.code}"] = SelectField(
            f"{s.name}: importance",
            choices=choices(IMPORTANCE_CHOICES),
            default="medium",
            validators=[Optional()],
        )
    return fields


OpeningForm: type[_OpeningFormBase] = type("OpeningForm", (_OpeningFormBase,), _skill_fields())

"""The job board's search form (from the query string); invalid filters are shown, then ignored."""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from agency.forms import BaseForm, choices, us_zip
from agency.models import EmploymentType
from agency.services.jobboard import JobFilters

RADIUS_CHOICES = [
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("25", "25 miles"),
    ("50", "50 miles"),
    ("100", "100 miles"),
]


class JobSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search: nothing changes, and links must be shareable

    q = StringField("Keywords", validators=[Optional(), Length(max=100)])
    role = SelectField(
        "Role",
        choices=choices(
            [
                ("", "Any role"),
                ("receptionist", "Medical receptionist"),
                ("secretary", "Medical secretary"),
                ("hybrid", "Receptionist & secretary"),
            ]
        ),
        validators=[Optional()],
    )
    employment_type = SelectField(
        "Employment type",
        choices=choices([("", "Any type"), *EmploymentType.choices()]),
        validators=[Optional()],
    )
    min_pay = IntegerField(
        "Minimum pay ($/hour)", validators=[Optional(), NumberRange(min=0, max=500)]
    )
    zip = StringField("Near ZIP code", validators=[Optional(), Length(max=10), us_zip])
    radius = SelectField(
        "Within", choices=choices(RADIUS_CHOICES), default="25", validators=[Optional()]
    )
    sort = SelectField(
        "Sort by",
        choices=choices([("newest", "Newest"), ("pay", "Highest pay"), ("distance", "Distance")]),
        default="newest",
        validators=[Optional()],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.sort.data == "distance" and not self.zip.errors and not self.zip.data:
            self.sort.errors = [*self.sort.errors, "Enter a ZIP code to sort by distance."]
            ok = False
        return ok

    def filters(self, page: int) -> JobFilters:
        """The valid part of the input: a field with an error is left out of the search."""

        def ok(field: Any) -> Any:
            return None if field.errors else field.data

        radius = ok(self.radius)
        return JobFilters(
            q=ok(self.q) or "",
            role=ok(self.role) or "",
            employment_type=ok(self.employment_type) or "",
            min_pay=ok(self.min_pay),
            zip_code=ok(self.zip) or "",
            radius=int(radius) if radius else 25,
            sort=ok(self.sort) or "newest",
            page=page,
        )

    @property
    def has_filters(self) -> bool:
        return any(
            f.data not in (None, "")
            for f in (self.q, self.role, self.employment_type, self.min_pay, self.zip)
        )

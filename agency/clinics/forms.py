"""The clinic's forms: profile, pasted job description, opening status, feedback. The opening
form itself lives in agency.opening_forms (staff enter job orders with it too)."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from agency.forms import BaseForm, choices, us_phone, us_zip
from agency.opening_forms import taxonomy_choices
from agency.services import openings
from agency.services.clinic_portal import DECLINE_REASONS, ClinicProfile


class ClinicProfileForm(BaseForm):
    name = StringField("Clinic name", validators=[InputRequired(), Length(max=200)])
    address_line = StringField(
        "Street address",
        validators=[Optional(), Length(max=200)],
        description="Only our staff see it; job seekers see the city.",
    )
    zip_code = StringField("ZIP code", validators=[InputRequired(), Length(max=10), us_zip])
    city = StringField(
        "City",
        validators=[Optional(), Length(max=100)],
        description="Leave empty to use the ZIP's.",
    )
    state = StringField("State", validators=[Optional(), Length(min=2, max=2)])
    specialty = StringField("Specialty", validators=[Optional(), Length(max=100)])
    ehr_system = SelectField("EHR system you use", validators=[Optional()])
    phone = StringField("Phone", validators=[Optional(), Length(max=32), us_phone])
    description = TextAreaField("About the clinic", validators=[Optional(), Length(max=5000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ehr_system.choices = choices([("", "Not listed / none"), *taxonomy_choices("ehr")])

    def to_profile(self) -> ClinicProfile:
        return ClinicProfile(
            name=self.name.data,
            zip_code=self.zip_code.data,
            address_line=self.address_line.data or "",
            city=self.city.data or "",
            state=(self.state.data or "").upper(),
            specialty=self.specialty.data or "",
            ehr_system=self.ehr_system.data or "",
            phone=self.phone.data or "",
            description=self.description.data or "",
        )


class PasteForm(BaseForm):
    text = TextAreaField(
        "Paste your job description",
        validators=[
            InputRequired(message="Paste the job description first."),
            Length(
                min=40,
                max=openings.MAX_TEXT,
                message="Paste at least a few sentences (40 to 20,000 characters).",
            ),
        ],
        description="We read it for the role, skills, certifications, EHR systems and languages, "
        "and fill the form for you to check. Nothing is saved until you save the opening.",
    )


class StatusForm(BaseForm):
    action = SelectField(
        "Action", choices=choices([(a, label) for a, label in openings.ACTION_LABELS.items()])
    )


class MoveForm(BaseForm):
    to_stage = SelectField(
        "Decision",
        choices=choices(
            [("interview", "Invite to interview"), ("offered", "Hire"), ("rejected", "Decline")]
        ),
        validators=[InputRequired()],
    )
    # The clinic's words are for the agency (and the clinic): the candidate is told only that the
    # clinic chose another candidate (pipeline.CLINIC_DECLINED).
    reason = SelectField(
        "Reason (read by the agency, never the candidate)",
        choices=choices([("", "Choose a reason"), *[(r, r) for r in DECLINE_REASONS]]),
        validators=[Optional()],
    )
    details = TextAreaField(
        "Details (optional; read by the agency only, never the candidate)",
        validators=[Optional(), Length(max=400)],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.to_stage.data == "rejected" and not self.reason.data:
            self.reason.errors = [*self.reason.errors, "Please choose a reason for declining."]
            ok = False
        return ok

    def reason_text(self) -> str:
        parts = [p for p in (self.reason.data, self.details.data) if p]
        return ": ".join(parts)[:500]

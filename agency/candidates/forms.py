"""The candidate's forms: profile, skills, credentials, resume, applying and account."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from agency.forms import BaseForm, choices, us_phone, us_zip
from agency.models import RoleType
from agency.models.self_id import CATEGORIES, DECLINED, DECLINED_LABEL
from agency.services import profiles, regional
from agency.services.engine import taxonomy
from agency.services.profiles import SKILL_LEVELS

ROLE_LABELS = {
    RoleType.RECEPTIONIST: "Medical receptionist (front desk)",
    RoleType.SECRETARY: "Medical secretary (back office)",
    RoleType.HYBRID: "Both (hybrid role)",
}
EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)


def finite(_form: Any, field: Field) -> None:
    # "nan" and "inf" parse as numbers but are no use as pay or years.
    if field.data is not None and not math.isfinite(float(field.data)):
        raise StopValidation("Enter a number.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _ehr_choices() -> list[Any]:
    return choices([(e.code, e.name) for e in regional.taxonomy().ehr])


def _language_choices() -> list[Any]:
    return choices([(lang.code, lang.name) for lang in taxonomy().language_defs])


class ProfileForm(BaseForm):
    first_name = StringField("First name", validators=[InputRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[InputRequired(), Length(max=100)])
    phone = StringField("Phone", validators=[Optional(), Length(max=32), us_phone])
    zip_code = StringField(
        "Home ZIP code",
        validators=[Optional(), Length(max=10), us_zip],
        description="Used only to find clinics within your commute.",
    )
    commute_miles = IntegerField(
        "How far will you travel? (miles)",
        default=15,
        validators=[InputRequired(), NumberRange(1, 100, "Between 1 and 100 miles.")],
    )
    desired_roles = MultiCheckboxField(
        "Roles I want",
        choices=choices(list(ROLE_LABELS.items())),
        validators=[InputRequired("Choose at least one role.")],
    )
    min_pay = DecimalField(
        "Minimum pay ($ per hour)",
        places=2,
        validators=[Optional(), finite, NumberRange(0, 500, "Between $0 and $500 an hour.")],
    )
    availability = SelectMultipleField(
        "When I can work",
        coerce=int,
        description="Tick every part of the week you could work.",
    )
    years_experience = DecimalField(
        "Years of experience",
        places=1,
        default=0,
        validators=[Optional(), finite, NumberRange(0, 60, "Between 0 and 60 years.")],
    )
    typing_wpm = IntegerField(
        "Typing speed (words per minute)",
        validators=[Optional(), NumberRange(5, 250, "Between 5 and 250 words per minute.")],
    )
    ehr_systems = MultiCheckboxField("EHR and practice systems I have used")
    languages = MultiCheckboxField("Languages I speak with patients")
    summary = TextAreaField(
        "About me",
        validators=[Optional(), Length(max=2000)],
        description="A few sentences for the agency: your experience and what you are looking for.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Values are the bit numbers of the weekly mask (matching.week).
        self.availability.choices = [SelectChoice(b, str(b)) for b, _, _ in profiles.cells()]
        self.ehr_systems.choices = _ehr_choices()
        self.languages.choices = _language_choices()


def skills_form(skills: list[Any], current: dict[int, int]) -> BaseForm:
    """A form with one 0-4 level select per skill (field `skill_<id>`)."""

    class SkillsForm(BaseForm):
        pass

    level_choices = choices([(str(v), f"{v} · {label}") for v, label in SKILL_LEVELS])
    for skill in skills:
        setattr(
            SkillsForm,
            f"skill_{skill.id}",
            SelectField(
                skill.name,
                coerce=int,
                choices=level_choices,
                default=current.get(skill.id, 0),
            ),
        )
    return SkillsForm()


def _real_date(_form: Any, field: Field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError("Enter a real date.")


def _int_or_zero(value: Any) -> int:
    # The "Choose…" option has an empty value; int("") would raise while rendering.
    return 0 if value in ("", None) else int(value)


class CredentialForm(BaseForm):
    credential_type_id = SelectField(
        "Credential", coerce=_int_or_zero, validators=[InputRequired("Choose a credential.")]
    )
    issuer = StringField("Issued by", validators=[Optional(), Length(max=160)])
    number = StringField("Certificate or license number", validators=[Optional(), Length(max=80)])
    issued_on = DateField("Issue date", validators=[Optional(), _real_date])
    expires_on = DateField(
        "Expiry date",
        validators=[Optional(), _real_date],
        description="Leave empty if it does not expire.",
    )
    document = FileField(
        "Certificate (PDF, PNG or JPEG, at most 5 MB)",
        description="Optional; our staff check it before the credential counts as verified.",
    )
    # A signed token for the document uploaded with an earlier try that had errors.
    kept_document = HiddenField()

    def __init__(self, *args: Any, type_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_name = ""  # the kept document's name, shown next to the upload field
        self.credential_type_id.choices = choices([("", "Choose…"), *type_choices])

    def validate_credential_type_id(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose a credential.")

    def validate_issued_on(self, field: Field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The issue date cannot be in the future.")

    def validate_expires_on(self, field: Field) -> None:
        if not field.data:
            return
        if self.issued_on.data and field.data < self.issued_on.data:
            raise ValidationError("The expiry date is before the issue date.")
        if field.data < date.today():
            raise ValidationError("This credential has expired; add it again once renewed.")


class ResumeForm(BaseForm):
    resume = FileField(
        "Resume (PDF or Word .docx, at most 5 MB)",
        validators=[FileRequired("Choose a file to upload.")],
    )


class SuggestionsForm(BaseForm):
    skills = MultiCheckboxField("Skills found in your resume", validate_choice=False)
    ehr_systems = MultiCheckboxField("Systems found in your resume", validate_choice=False)
    languages = MultiCheckboxField("Languages found in your resume", validate_choice=False)
    typing_wpm = BooleanField("Typing speed")


class ApplyForm(BaseForm):
    note = TextAreaField(
        "Note to the agency (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Anything that helps: when you could start, questions about the schedule.",
    )


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "Why are you withdrawing?",
        validators=[InputRequired("Please tell us why."), Length(max=500)],
    )


class SettingsForm(BaseForm):
    email_notifications = BooleanField("E-mail me about my applications")
    notify_new_openings = BooleanField("E-mail me when a new opening fits me well")
    consent_share_profile = BooleanField(
        "The agency may share my profile (not my contact details) with clinics it sends me to"
    )


class ExportForm(BaseForm):
    pass


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        "Your password", validators=[InputRequired("Enter your password."), Length(max=1024)]
    )
    understood = BooleanField(
        "I understand that my profile, resume and documents are erased and cannot be restored",
        validators=[InputRequired("Please confirm.")],
    )


def _answer_field(column: str) -> RadioField:
    """One self-identification question: its answers, then "prefer not to say" (the default)."""
    question, answers = CATEGORIES[column]
    return RadioField(
        question,
        choices=choices([*answers.items(), (DECLINED, DECLINED_LABEL)]),
        default=DECLINED,
        validators=[InputRequired("Choose an answer, or prefer not to say.")],
    )


class SelfIdentificationForm(BaseForm):
    sex = _answer_field("sex")
    race_ethnicity = _answer_field("race_ethnicity")
    age_band = _answer_field("age_band")
    disability = _answer_field("disability")
    veteran_status = _answer_field("veteran_status")


class RemoveSelfIdentificationForm(BaseForm):
    pass


class HumanReviewForm(BaseForm):
    message = TextAreaField(
        "What should the person reviewing know? (optional)",
        validators=[Optional(), Length(max=2000)],
        description="For example: the openings you care about, or experience your profile "
        "does not show.",
    )

"""Forms of the staff workspace: actions (POST, CSRF) and filter bars (GET, no CSRF)."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from agency.forms import BaseForm, EmailAddress, PasswordPolicy, choices, us_phone, us_zip
from agency.models import OpeningStatus, Role, RoleType, Stage
from agency.opening_forms import OpeningForm
from agency.services import profiles

ROLE_CHOICES = [("", "Any role")] + [(r.value, r.value.capitalize()) for r in RoleType]
STAGE_CHOICES = [(s.value, s.value.capitalize()) for s in Stage]
REVIEW_ACTIONS = [
    ("shortlist", "Shortlist"),
    ("submit", "Submit to clinic"),
    ("reject", "Reject"),
    ("note", "Add a note"),
]
AVAILABILITY_CHOICES = [
    (str(bit), f"{profiles.DAYS[d][:3]} {profiles.BLOCKS[b][0].lower()}")
    for bit, d, b in profiles.cells()
]


class FilterForm(BaseForm):
    """A GET filter bar: reads request.args, no CSRF token, invalid input shown as errors."""

    class Meta:
        csrf = False


class ReviewFilterForm(FilterForm):
    eligible = BooleanField("Eligible only")
    # Off by default: the ranking proposes eligible candidates (applicants always show, with
    # their reasons); near misses, such as a credential lapsing days before the start, on request.
    near_misses = BooleanField("Show near misses")
    applied = BooleanField("Applied only")
    miles = FloatField("Within miles", validators=[Optional(), NumberRange(min=0, max=500)])
    stage = SelectField(
        "Stage",
        choices=choices([("", "Any stage"), ("none", "Not in pipeline"), *STAGE_CHOICES]),
        default="",
    )
    blind = BooleanField("Blind review")
    k = IntegerField("Show top", validators=[Optional(), NumberRange(min=10, max=500)])


class ReviewActionForm(BaseForm):
    """The bulk action bar of the opening review (and each row's own buttons)."""

    candidate_ids = SelectMultipleField("Candidates", coerce=int, validate_choice=False)
    action = SelectField("Action", choices=choices(REVIEW_ACTIONS))
    # Each text says who reads it (the three audiences: staff, the clinic, the candidate).
    reason = StringField(
        "Reason for a rejection (staff only)",
        validators=[Length(max=500)],
        description="Colleagues read it; the candidate and the clinic never do.",
    )
    note = TextAreaField("Note (staff only)", validators=[Length(max=5000)])
    clinic_note = TextAreaField(
        "Note for the clinic (with a submission)",
        validators=[Length(max=5000)],
        description="The clinic reads it with the candidate's profile.",
    )
    # Set by the confirmation page: submit even though the engine marks them not eligible.
    confirm_ineligible = BooleanField("Submit anyway")
    # A row's own button: "<candidate id>:<action>", overriding the checkboxes and action.
    single = HiddenField()

    def parsed_single(self) -> tuple[int, str] | None:
        raw = self.single.data or ""
        cid, _, action = raw.partition(":")
        if not cid.isdigit() or len(cid) > 12:
            return None
        return int(cid), action

    def validate(self, extra_validators: Any = None) -> bool:
        single = self.parsed_single()
        if single is not None:
            # A row's button acts on that row alone, whatever else is ticked or chosen.
            if single[1] not in dict(REVIEW_ACTIONS):
                self.action.errors = ["Unknown action."]
                return False
            self.candidate_ids.data = [single[0]]
            self.action.data = single[1]
        if not super().validate(extra_validators):
            return False
        if single is not None:
            self.candidate_ids.data = [single[0]]
        if not self.candidate_ids.data:
            self.candidate_ids.errors = ["Select at least one candidate."]
            return False
        if self.action.data == "reject" and not self.reason.data:
            self.reason.errors = ["Please give a reason for the rejection."]
            return False
        if self.action.data == "note" and not self.note.data:
            self.note.errors = ["Write the note first."]
            return False
        return True


class MoveForm(BaseForm):
    to_stage = SelectField("Move to", choices=[])
    reason = StringField(
        "Reason (staff only)",
        validators=[Length(max=500)],
        description="Needed to reject or withdraw. Colleagues read it; the candidate and the "
        "clinic never do.",
    )
    candidate_message = StringField(
        "Message to the candidate (optional)",
        validators=[Length(max=500)],
        description="The candidate reads it on their dashboard and in the e-mail. Left empty, "
        "they read our standard words (e.g. “The agency will not put you forward for this "
        "opening.”).",
    )
    clinic_note = TextAreaField(
        "Note for the clinic (with a submission)",
        validators=[Length(max=5000)],
        description="The clinic reads it with the candidate's profile.",
    )
    # Shown only after the engine's warning: the view removes it otherwise.
    confirm_ineligible = BooleanField("Submit anyway: I have read why the engine says no")


NOTE_AUDIENCE_CHOICES = [
    ("staff", "Staff only"),
    ("clinic", "Staff and the clinic (shown with this submittal)"),
]


class NoteForm(BaseForm):
    body = TextAreaField("Note (staff only)", validators=[DataRequired(), Length(max=5000)])


class ApplicationNoteForm(BaseForm):
    """A note on one application: staff choose whether the clinic reads it too."""

    body = TextAreaField("Note", validators=[DataRequired(), Length(max=5000)])
    audience = RadioField(
        "Who reads this note",
        choices=choices(NOTE_AUDIENCE_CHOICES),
        default="staff",  # left out of the request: staff only
    )


class VerifyForm(BaseForm):
    outcome = SelectField(
        "Outcome",
        choices=choices([("verified", "Verified"), ("rejected", "Rejected")]),
        validators=[InputRequired()],
    )


class CandidateSearchForm(FilterForm):
    q = StringField("Keyword", validators=[Length(max=100)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="")
    skill = SelectField("Skill", choices=[], default="")
    skill_level = SelectField(
        "Skill level at least",
        choices=choices([("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]),
        default="2",
    )
    credential = SelectField("Credential (valid)", choices=[], default="")
    zip_code = StringField("Near ZIP", validators=[Optional(), Length(min=5, max=10)])
    radius = FloatField(
        "Radius (miles)", validators=[Optional(), NumberRange(min=1, max=300)], default=None
    )
    availability = SelectMultipleField(
        "Available on", choices=choices(AVAILABILITY_CHOICES), default=[]
    )

    def validate_zip_code(self, field: Any) -> None:
        from agency.services import geo

        if field.data and geo.lookup_zip(field.data) is None:
            raise ValidationError("Enter a real 5-digit US ZIP code.")

    def validate_radius(self, field: Any) -> None:
        if field.data is not None and not self.zip_code.data:
            raise ValidationError("Give a ZIP code to search around.")


class OpeningSearchForm(FilterForm):
    q = StringField("Title or clinic", validators=[Length(max=100)])
    clinic = SelectField("Clinic", choices=[], default="")
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="")
    status = SelectField(
        "Status",
        choices=choices(
            [("", "Any status")]
            + [(s.value, s.value.replace("_", " ").capitalize()) for s in OpeningStatus]
        ),
        default="",
    )


class BatchPickForm(FilterForm):
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="")
    start_from = DateField("Starting from", validators=[Optional()])
    start_to = DateField("Starting by", validators=[Optional()])

    def validate_start_to(self, field: Any) -> None:
        if field.data and self.start_from.data and field.data < self.start_from.data:
            raise ValidationError("The end of the range is before its start.")


class StaffAccountForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=choices([(Role.STAFF, "Staff"), (Role.ADMIN, "Administrator")]),
    )
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), PasswordPolicy()],
        description="At least 12 characters; ask them to change it after logging in.",
    )


class AuditFilterForm(FilterForm):
    action = SelectField("Action", choices=[], default="")
    actor = StringField("Actor e-mail contains", validators=[Length(max=100)])
    candidate = IntegerField(
        "About candidate #",
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        description="Every event about this person's data: views, downloads, changes.",
    )


class HumanReviewMoveForm(BaseForm):
    """One per row of the queue (prefixed by the request). The page's own csrf_token input
    carries the token, which CSRFProtect checks on every POST: a prefixed copy would rename it."""

    class Meta:
        csrf = False

    status = RadioField(
        "Move to",
        choices=choices(
            [("in_review", "I am reviewing it"), ("done", "Reviewed: answer the candidate")]
        ),
        validators=[InputRequired("Choose what happens next.")],
    )
    reply = TextAreaField(
        "Answer to the candidate (the candidate reads this)",
        validators=[Optional(), Length(max=2000)],
        description="What a person's review found and what happens next. Internal judgment "
        "belongs in a staff note on the candidate, not here.",
    )


class BiasAuditForm(FilterForm):
    start = DateField("From", validators=[Optional()])
    end = DateField("To (included)", validators=[Optional()])

    def validate_end(self, field: Any) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end of the period is before its start.")


class MergeForm(BaseForm):
    """Which record of a flagged pair to keep (the other is merged into it)."""

    keep = IntegerField("Keep", validators=[InputRequired()])


class CandidateIntakeForm(BaseForm):
    """A candidate who phoned in: the sign-up's checks on what staff type for them."""

    first_name = StringField("First name", validators=[InputRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[InputRequired(), Length(max=100)])
    email = EmailField(
        "E-mail",
        validators=[InputRequired(), EmailAddress(), Length(max=254)],
        description="The invitation to claim the record goes here.",
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=32), us_phone])
    zip_code = StringField("ZIP code", validators=[Optional(), Length(max=10), us_zip])
    desired_role = SelectField(
        "Looking for",
        choices=choices(
            [("", "Not said yet")] + [(r.value, r.value.capitalize()) for r in RoleType]
        ),
        default="",
    )
    years_experience = IntegerField(
        "Years of experience",
        default=0,
        validators=[Optional(), NumberRange(0, 60, "Between 0 and 60 years.")],
    )


class StaffOpeningForm(OpeningForm):  # type: ignore[misc,valid-type]
    """A job order a clinic gave by phone: the clinic's own opening form, plus which clinic."""

    clinic_id = SelectField(
        "Clinic",
        validators=[InputRequired("Choose the clinic.")],
        description="Approved clinics only: a clinic waiting for approval cannot post yet.",
    )


class ImportUploadForm(BaseForm):
    """Step 1 of an import: what the file holds, and the file."""

    kind = RadioField(
        "The file lists",
        choices=choices([("candidates", "Candidates"), ("openings", "Openings of one clinic")]),
        default="candidates",
        validators=[InputRequired("Choose what the file lists.")],
    )
    clinic = SelectField(
        "Clinic (for openings)",
        validators=[Optional()],
        description="Every opening in the file is a job order of this clinic.",
    )
    file = FileField(
        "CSV or Excel (.xlsx) file",
        validators=[FileRequired("Choose a file.")],
        description="The first row names the columns; up to 25 MB.",
    )


class ImportMappingForm(BaseForm):
    """Step 2: which column of the file feeds which field (one select per field, added by
    `for_columns`), and whether imported people get their invitation now."""

    send_invitations = BooleanField(
        "Send each new candidate the invitation to claim their record",
        default=True,
        description="Without it, invite them later from their page; until they claim the "
        "record it cannot be submitted to a clinic.",
    )

    @classmethod
    def for_columns(cls, columns: Any, header: list[str], **kwargs: Any) -> Any:
        options = [("", "Not in the file")] + [
            (str(i), f"Column {i + 1}: {name or '(no name)'}") for i, name in enumerate(header)
        ]
        fields = {
            f"col_{c.name}": SelectField(
                c.label + (" (required)" if c.required else ""),
                choices=choices(options),
                default="",
            )
            for c in columns
        }
        return type("ImportMapping", (cls,), fields)(**kwargs)

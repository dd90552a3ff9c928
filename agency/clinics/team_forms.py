"""The clinic team's forms: invite a colleague, change a role, remove, join by invitation."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import EqualTo, InputRequired, Length

from agency.forms import BaseForm, EmailAddress, PasswordPolicy, choices

ROLE_CHOICES = [
    ("viewer", "Viewer: sees openings and candidates, changes nothing"),
    ("manager", "Manager: posts openings, decides, runs the team"),
]


class InviteForm(BaseForm):
    email = EmailField(
        "Colleague's e-mail",
        validators=[InputRequired(), Length(max=254), EmailAddress()],
    )
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="viewer")


class RoleForm(BaseForm):
    role = SelectField(
        "Role", choices=choices([("viewer", "Viewer"), ("manager", "Manager")]), default="viewer"
    )


class RemoveForm(BaseForm):
    """The CSRF token alone."""


class JoinForm(BaseForm):
    password = PasswordField(
        "Choose a password",
        validators=[InputRequired(), PasswordPolicy(email_field=None)],
        description="At least 12 characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )

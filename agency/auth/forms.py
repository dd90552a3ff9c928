"""Forms for signing up, logging in and resetting a password."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from agency.forms import BaseForm, EmailAddress, PasswordPolicy, choices, us_phone, us_zip


class LoginForm(BaseForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    remember = BooleanField("Keep me logged in on this device")


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class RegisterForm(BaseForm):
    account_type = RadioField(
        "I am",
        choices=choices(
            [
                ("candidate", "Looking for work (receptionist or secretary)"),
                ("clinic", "A clinic looking for staff"),
            ]
        ),
        default="candidate",
        validators=[InputRequired()],
    )
    email = EmailField(
        "E-mail",
        validators=[InputRequired(), EmailAddress(), Length(max=254)],
    )
    first_name = StringField("First name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])
    clinic_name = StringField("Clinic name", validators=[Optional(), Length(max=200)])
    zip_code = StringField("Clinic ZIP code", validators=[Optional(), Length(max=10), us_zip])
    phone = StringField("Clinic phone", validators=[Optional(), Length(max=32), us_phone])
    specialty = StringField("Specialty", validators=[Optional(), Length(max=100)])
    password = PasswordField(
        "Password",
        validators=[InputRequired(), PasswordPolicy()],
        description="At least 12 characters. A short sentence is easy to remember.",
    )
    confirm = _confirm_field()
    accept_terms = BooleanField(
        "I agree to the terms and the privacy notice",
        validators=[InputRequired(message="Please accept the terms to create an account.")],
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Which fields are required depends on the account type.
        needed = (
            {"first_name": "your first name", "last_name": "your last name"}
            if self.account_type.data == "candidate"
            else {"clinic_name": "the clinic's name", "zip_code": "the clinic's ZIP code"}
        )
        for name, words in needed.items():
            field = getattr(self, name)
            if not field.data:
                field.errors = [*field.errors, f"Please enter {words}."]
                ok = False
        return ok


class ForgotPasswordForm(BaseForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired(), PasswordPolicy(email_field=None)],
        description="At least 12 characters.",
    )
    confirm = _confirm_field()


class LogoutEverywhereForm(BaseForm):
    """Only the CSRF token: ending every session is a state change a foreign page must not cause."""


class ClaimAccountForm(BaseForm):
    """A staff-entered record's person sets a password and accepts the terms."""

    password = PasswordField(
        "Choose a password",
        validators=[InputRequired(), PasswordPolicy(email_field=None)],
        description="At least 12 characters. A short sentence is easy to remember.",
    )
    confirm = _confirm_field()
    accept_terms = BooleanField(
        "I agree to the terms and the privacy notice",
        validators=[InputRequired(message="Please accept the terms to use your account.")],
    )

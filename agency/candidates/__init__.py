"""The candidate's own area: dashboard, profile, credentials, resume, applications, account."""

from flask import Blueprint

bp = Blueprint("candidates", __name__)

# Importing the view modules registers their routes on the blueprint.
from agency.candidates import (  # noqa: E402,F401
    account_views,
    application_views,
    credential_views,
    fairness_views,
    interview_views,
    profile_views,
    resume_views,
    shift_views,
    timesheet_views,
    views,
)

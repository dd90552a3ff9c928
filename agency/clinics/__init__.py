"""The clinic's area: its profile, its openings and the candidates the agency submitted to it."""

from flask import Blueprint

bp = Blueprint("clinics", __name__, url_prefix="/clinic")

# Importing the modules registers their routes.
from agency.clinics import (  # noqa: E402,F401
    interview_views,
    invoice_views,
    opening_views,
    review_views,
    shift_views,
    team_views,
    timesheet_views,
    views,
)

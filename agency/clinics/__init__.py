"""The clinic's area: its profile, its openings and the candidates the agency submitted to it."""

from flask import Blueprint

bp = Blueprint("clinics", __name__, url_prefix="/clinic")

# Importing the modules registers their routes.
from agency.clinics import opening_views, review_views, shift_views, views  # noqa: E402,F401

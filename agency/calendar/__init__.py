"""Private calendar feeds: each user's secret .ics address and the page to create or reset it."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)

# Importing the module registers its routes.
from agency.calendar import views  # noqa: E402,F401

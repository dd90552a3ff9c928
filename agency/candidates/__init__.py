"""The candidate's own area: dashboard, profile, applications."""

from flask import Blueprint

bp = Blueprint("candidates", __name__)

from agency.candidates import views  # noqa: E402,F401  (registers the routes)

"""The clinic's area: its openings and the candidates the agency submitted to it."""

from flask import Blueprint

bp = Blueprint("clinics", __name__, url_prefix="/clinic")

from agency.clinics import views  # noqa: E402,F401  (registers the routes)

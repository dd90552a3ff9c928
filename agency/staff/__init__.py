"""The agency staff workspace."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from agency.staff import views  # noqa: E402,F401  (registers the routes)

"""Pages anyone can see: home, the job board, an opening's public detail, and health."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from agency.public import views  # noqa: E402,F401  (registers the routes)
from agency.public import unsubscribe  # noqa: E402,F401

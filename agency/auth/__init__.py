"""Log in, log out, sign up and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from agency.auth import views  # noqa: E402,F401  (registers the routes)

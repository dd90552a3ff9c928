"""Pages anyone can see: home, the job board, an opening's public detail, unsubscribe, health."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# Imported for their side effect: they register the routes on `bp`.
from agency.public import (  # noqa: E402,F401
    feed_views,
    interview_choice,
    security_txt,
    shift_links,
    timesheet_links,
    unsubscribe,
    views,
)

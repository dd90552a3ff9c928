"""The agency staff workspace: dashboard, opening review, pipeline, search, batch fill, admin."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Importing the modules registers their routes.
from agency.staff import (  # noqa: E402,F401
    admin,
    batch,
    candidates,
    credential_queue,
    dashboard,
    duplicates_views,
    engine,
    export_views,
    fairness,
    intake_views,
    interview_views,
    message_views,
    openings,
    outbox_views,
    pipeline_views,
    pool_views,
    saved_search_views,
    search,
    shifts,
)

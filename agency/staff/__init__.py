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
    import_views,
    intake_views,
    interview_views,
    invoice_views,
    message_views,
    money_views,
    opening_intake,
    openings,
    outbox_views,
    pipeline_views,
    pool_views,
    rates_views,
    saved_search_views,
    search,
    shifts,
    timesheets,
)

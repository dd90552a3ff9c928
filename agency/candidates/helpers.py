"""What every candidate page shares: the blueprint's request hooks (the id bound on URLs, the
profile steps for templates), the current candidate, owned objects, next steps."""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.candidates import bp
from agency.extensions import db
from agency.models import Candidate, CandidateStatus
from agency.models.candidates import profile_loaded
from agency.services import duplicates, profiles, uploads
from agency.services.engine import engine

# Which page completes which step of the profile.
STEP_ENDPOINTS = {
    "contact": "candidates.profile",
    "preferences": "candidates.profile",
    "availability": "candidates.profile",
    "systems": "candidates.profile",
    "skills": "candidates.skills",
    "resume": "candidates.resume",
    "credentials": "candidates.credentials",
}


# The blueprint's hooks live here, with the helpers every candidate view imports, rather than in
# one of the view modules: they run for every candidate page.
@bp.context_processor
def _candidate_context() -> dict[str, object]:
    return {"step_endpoints": STEP_ENDPOINTS}


def my_candidate(full: bool = False) -> Candidate:
    """The signed-in user's candidate row (404 if there is none); `full` loads skills and
    credentials in the same round trips, so pages that show them stay at a fixed query count."""
    query = db.select(Candidate).where(
        Candidate.user_id == current_user.id, Candidate.status != CandidateStatus.ERASED
    )
    if full:
        query = query.options(
            *profile_loaded(),
        )
    candidate = db.session.execute(query).scalar_one_or_none()
    if candidate is None:
        abort(404)
    return candidate


def next_step_url(candidate: Candidate) -> str:
    step = profiles.completeness(candidate).next_step
    return url_for(STEP_ENDPOINTS[step.key] if step else "candidates.dashboard")


def rescore_after_commit(candidate_id: int) -> None:
    """Bring this process's candidate pool up to date now that the change is committed."""
    engine().refresh_candidate(candidate_id)


def commit_profile_change(candidate_id: int) -> None:
    """Commit a profile change with its rescore request (outbox) and any likely duplicate it
    reveals (a phone, ZIP code or credential date shared with a close name), then refresh this
    process's pool so the candidate's next page already reflects it."""
    profiles.request_rescore(candidate_id)
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is not None:
        duplicates.flag(candidate)
    db.session.commit()
    rescore_after_commit(candidate_id)


def file_response(stored_name: str | None, filename: str | None) -> ResponseReturnValue:
    path = uploads.path_of(stored_name) if stored_name else None
    if path is None:
        abort(404)
    # Files are at most 5 MiB: reading them whole means no file handle outlives the request.
    # Werkzeug writes the RFC 6266 filename (ASCII) and filename* (UTF-8) parameters; the name
    # is cleaned again here for rows stored before names were cleaned on upload.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=uploads.mime_type(stored_name or ""),
        as_attachment=True,
        download_name=uploads.clean_filename(filename) or Path(path).name,
        max_age=0,
    )
    # A resume or a credential must not be kept by the browser or any cache on the way.
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response

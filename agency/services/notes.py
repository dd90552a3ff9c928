"""Staff notes about a candidate, an opening or one application (audited, never mailed).

A note is for staff only unless its author writes it for the clinic: then it must be about one
application, and the clinic reads it once that application is submitted to it.
"""

from __future__ import annotations

from agency.extensions import db
from agency.models import Application, Audience, Candidate, Note, Opening, User
from agency.services import audit

MAX_NOTE = 5000
NOTE_AUDIENCES = frozenset({Audience.STAFF, Audience.CLINIC})


def add(
    author: User,
    body: str,
    *,
    candidate: Candidate | None = None,
    opening: Opening | None = None,
    application: Application | None = None,
    audience: str = Audience.STAFF,
    ip: str = "",
) -> Note:
    """Record a note in the caller's transaction; the application implies its candidate."""
    body = (body or "").strip()[:MAX_NOTE]
    audience = str(audience)
    if not body:
        raise ValueError("A note cannot be empty.")
    if audience not in NOTE_AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}.")
    if audience == Audience.CLINIC and application is None:
        raise ValueError("A note for the clinic belongs to one application.")
    if application is not None:
        candidate = candidate or application.candidate
        opening = opening or application.opening
    note = Note(
        author_id=author.id,
        body=body,
        candidate_id=candidate.id if candidate else None,
        opening_id=opening.id if opening else None,
        application_id=application.id if application else None,
        audience=audience,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "note_added",
        actor_id=author.id,
        object_type="candidate" if candidate else "opening",
        object_id=candidate.id if candidate else (opening.id if opening else None),
        ip=ip,
        details={
            "note_id": note.id,
            "opening_id": opening.id if opening else None,
            "audience": audience,
        },
    )
    return note

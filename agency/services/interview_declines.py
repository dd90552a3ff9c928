"""A candidate declines the interview times a clinic proposed (none suits them), with an
optional note; the clinic's managers and the recruiter are told and may propose new times.

Who reads the note: the clinic and the agency, whoever proposes the next times (the form says
so). It is the candidate's own text: their export carries it and erasure blanks it.

Declining races booking (two tabs, the e-mail link): the interview row is claimed with a
conditional UPDATE (status still "proposed"), so exactly one of the two wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from agency.extensions import db
from agency.models import (
    Audience,
    Interview,
    InterviewSlot,
    InterviewStatus,
    SlotStatus,
    User,
    utcnow,
)
from agency.services import audit, interviews, notifications
from agency.services.interviews import InterviewError

NOTE_MAX = 500
# Where each reader proposes the next times.
PROPOSE_PATHS: dict[str, str] = {
    Audience.CLINIC: "/clinic/applications/{id}/interview",
    Audience.STAFF: "/staff/applications/{id}/interview",
}


class NotOpen(InterviewError):
    def __init__(self) -> None:
        super().__init__("These times are no longer open: one was booked or they were withdrawn.")


def decline(
    interview: Interview,
    actor: User,
    note: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> Interview:
    """Decline every proposed time; raises NotOpen (nothing written) when the proposal was
    booked, withdrawn or declined meanwhile. The caller commits."""
    now = now or utcnow()
    note = (note or "").strip()[:NOTE_MAX]
    claimed = db.session.execute(
        update(Interview)
        .where(Interview.id == interview.id, Interview.status == InterviewStatus.PROPOSED)
        .values(
            status=InterviewStatus.DECLINED,
            decline_note=note,
            declined_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotOpen()
    db.session.execute(
        update(InterviewSlot)
        .where(InterviewSlot.interview_id == interview.id, InterviewSlot.status == SlotStatus.OPEN)
        .values(status=SlotStatus.RELEASED)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(interview)
    for slot in interview.slots:
        db.session.refresh(slot)
    audit.record(
        "interview_declined",
        actor_id=actor.id,
        object_type="application",
        object_id=interview.application_id,
        ip=ip,
        # Whether there was a note, not the note: the audit log is read by every admin.
        details={"interview": interview.id, "with_note": bool(note)},
    )
    _tell_clinic_and_recruiter(interview)
    return interview


def _tell_clinic_and_recruiter(interview: Interview) -> None:
    """It asks for new times: the clinic's managers (not its viewers, who cannot propose) and
    the recruiter; with no recruiter on record, every staff member hears of it."""
    told_staff = False
    application_id = interview.application_id
    for party in interviews.parties(interview, asks_the_clinic=True):
        if party.audience == Audience.CANDIDATE:
            continue
        told_staff = told_staff or party.audience == Audience.STAFF
        propose = PROPOSE_PATHS[party.audience].format(id=application_id)
        interviews.mail_party(
            "interview_declined",
            interview,
            party,
            "declined",
            {"note": interview.decline_note, "propose_url": notifications.link(propose)},
        )
    if not told_staff:
        notifications.tell_staff(
            "interview_declined",
            f"interview-declined:{interview.id}",
            application_id=application_id,
            interview_id=interview.id,
        )

"""Proposing, booking, moving, canceling and closing an interview, and what each party is told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from agency.extensions import db
from agency.models import (
    Application,
    Audience,
    InterviewStatus,
    OutboxMessage,
    SlotStatus,
    Stage,
    utcnow,
)
from agency.services import interviews, mail, pipeline
from agency.services.interviews import InterviewError, SlotGone, SlotInput
from tests import factories
from tests.interviews.conftest import Scene, book_first, mails, propose, rendered, slots, text_of


def ics_of(message: OutboxMessage) -> Calendar:
    msg = rendered(message)
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in parts if p.get_filename()]
    assert attached, "no .ics attached"
    return Calendar.from_ical(attached[0].get_content())


def event_of(message: OutboxMessage) -> Any:
    return ics_of(message).walk("VEVENT")[0]


def test_proposing_moves_to_interview_and_mails_the_candidate_the_times(scene: Scene) -> None:
    interview = propose(scene, 48, 72, 96)
    assert scene.application.stage == Stage.INTERVIEW
    assert [s.status for s in interview.slots] == ["open"] * 3
    to_candidate = [m for m in mails() if m.payload["to"] == scene.candidate_user.email]
    # One e-mail: the times to choose from (not a second, generic interview invitation).
    assert [m.payload["template"] for m in to_candidate] == ["interview_slots"]
    body = text_of(to_candidate[0])
    links = [s["url"] for s in to_candidate[0].payload["context"]["slots"]]
    assert len(links) == 3 and all("/interviews/choose/" in u for u in links)
    assert all(u in body for u in links)
    assert "EST" in body or "EDT" in body  # the clinic's local time, with its zone


@pytest.mark.parametrize(
    ("hours", "kw", "field"),
    [
        ((48,), {}, "slots"),  # one time is not a choice
        ((24, 48, 72, 96, 120, 144), {}, "slots"),  # six are too many
        ((-1, 48), {}, "slots"),  # a time in the past
        ((48, 72), {"mode": "video", "video_url": "http://meet.example.com/x"}, "video_url"),
        ((48, 72), {"mode": "video", "video_url": ""}, "video_url"),
        ((48, 72), {"mode": "carrier pigeon"}, "mode"),
    ],
)
def test_bad_proposals_are_refused_with_the_field(
    scene: Scene, hours: tuple[float, ...], kw: dict[str, Any], field: str
) -> None:
    kw = dict(kw)
    mode = kw.pop("mode", "in_person")
    with pytest.raises(InterviewError) as caught:
        interviews.propose(scene.application, scene.clinic_user, slots(*hours), mode, **kw)
    assert caught.value.field == field
    db.session.rollback()
    assert scene.application.stage == Stage.SUBMITTED
    assert mails() == []


def test_one_active_interview_per_application_and_only_for_submitted(scene: Scene) -> None:
    propose(scene)
    with pytest.raises(InterviewError, match="already"):
        interviews.propose(scene.application, scene.clinic_user, slots(50, 70), "phone")
    db.session.rollback()
    applied = Application(
        candidate_id=scene.other_candidate.id,
        opening_id=scene.application.opening_id,
        source="applied",
        stage="applied",
    )
    db.session.add(applied)
    db.session.commit()
    with pytest.raises(InterviewError, match="submitted"):
        interviews.propose(applied, scene.staff, slots(50, 70), "phone")


def test_booking_releases_the_others_and_invites_everyone(scene: Scene) -> None:
    interview = propose(scene, 48, 72, mode="video", video_url="https://meet.example.com/abc")
    chosen = interview.slots[1]
    interviews.book(interview, chosen.id, scene.candidate_user)
    db.session.commit()
    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.starts_at == chosen.starts_at
    assert [s.status for s in interview.slots] == [SlotStatus.RELEASED, SlotStatus.BOOKED]

    booked = mails("interview_scheduled")
    recipients = {m.payload["to"] for m in booked}
    assert recipients == {
        scene.candidate_user.email,
        scene.clinic_user.email,
        scene.staff.email,
    }
    for message in booked:
        calendar = ics_of(message)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == interview.uid
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == chosen.starts_at
        # Written in the clinic's zone, with the VTIMEZONE that defines it.
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert str(calendar.walk("VTIMEZONE")[0]["TZID"]) == "America/New_York"
        assert str(event["LOCATION"]) == "https://meet.example.com/abc"
        # Each copy names its own recipient only.
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a) for a in attendees] == [f"mailto:{message.payload['to']}"]
    clinic_copy = next(m for m in booked if m.payload["to"] == scene.clinic_user.email)
    clinic_text = text_of(clinic_copy) + ics_of(clinic_copy).to_ical().decode()
    # The clinic reads the candidate as its portal names them: no surname, no address.
    assert "Rosa Q." in clinic_text
    assert "Quintana" not in clinic_text and scene.candidate_user.email not in clinic_text


def test_a_gone_or_past_slot_cannot_be_booked(scene: Scene) -> None:
    interview = propose(scene, 48, 72)
    first, second = interview.slots
    book_first(scene, interview)
    with pytest.raises(SlotGone):
        interviews.book(interview, second.id, scene.candidate_user)
    db.session.rollback()
    with pytest.raises(SlotGone):
        interviews.book(interview, first.id, scene.candidate_user)
    db.session.rollback()

    # A new proposal whose first time has passed by the time the candidate answers.
    interviews.cancel(interview, scene.clinic_user, "Doctor away")
    db.session.commit()
    later = propose(scene, 1, 30)
    with pytest.raises(SlotGone):
        interviews.book(
            later, later.slots[0].id, scene.candidate_user, now=utcnow() + timedelta(hours=2)
        )
    db.session.rollback()
    db.session.refresh(later)
    assert later.status == InterviewStatus.PROPOSED


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(scene: Scene) -> None:
    interview = book_first(scene, propose(scene))
    new_start = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)
    interviews.reschedule(interview, scene.clinic_user, SlotInput(new_start, 45))
    db.session.commit()
    moved = [m for m in mails("interview_scheduled") if m.payload["context"]["change"] == "moved"]
    assert len(moved) == 3
    event = event_of(moved[0])
    assert str(event["UID"]) == interview.uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start
    assert event.decoded("DTEND") == new_start + timedelta(minutes=45)
    assert "Interview moved" in text_of(moved[0])
    with pytest.raises(InterviewError):
        interviews.reschedule(interview, scene.clinic_user, SlotInput(utcnow(), 30))


def test_cancelling_a_booked_interview_sends_method_cancel(scene: Scene) -> None:
    interview = book_first(scene, propose(scene))
    interviews.cancel(interview, scene.clinic_user, "The office manager is ill")
    db.session.commit()
    cancelled = mails("interview_cancelled")
    assert {m.payload["to"] for m in cancelled} == {
        scene.candidate_user.email,
        scene.clinic_user.email,
        scene.staff.email,
    }
    for message in cancelled:
        calendar = ics_of(message)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == interview.uid
        assert int(event["SEQUENCE"]) == 1
    to_candidate = next(m for m in cancelled if m.payload["to"] == scene.candidate_user.email)
    # The clinic's reason is the agency's and the clinic's to read.
    assert "office manager" not in text_of(to_candidate)


def test_withdrawing_the_times_tells_the_candidate_without_an_invitation(scene: Scene) -> None:
    interview = propose(scene)
    interviews.cancel(interview, scene.staff, "Clinic closed the opening")
    db.session.commit()
    [message] = mails("interview_cancelled")
    assert message.payload["to"] == scene.candidate_user.email
    assert "attachments" not in message.payload
    assert {s.status for s in interview.slots} == {SlotStatus.RELEASED}


def test_declining_the_application_cancels_its_interview(scene: Scene) -> None:
    interview = book_first(scene, propose(scene))
    pipeline.move(scene.application, Stage.REJECTED, scene.clinic_user, "Position filled")
    db.session.commit()
    assert interview.status == InterviewStatus.CANCELLED
    assert len(mails("interview_cancelled")) == 3


def _started(scene: Scene) -> Any:
    interview = book_first(scene, propose(scene))
    return interview, utcnow() + timedelta(days=4)


def test_the_outcome_moves_the_pipeline_and_feedback_stays_with_its_audience(
    scene: Scene,
) -> None:
    interview, later = _started(scene)
    assert not interviews.can_record_outcome(interview)  # not before it starts
    feedback = "Great with patients; a little slow on Epic scheduling"
    interviews.record_outcome(
        interview, scene.clinic_user, "attended", feedback, Stage.OFFERED, now=later
    )
    db.session.commit()
    assert scene.application.stage == Stage.OFFERED
    assert interview.status == InterviewStatus.COMPLETED
    assert interview.feedback_for(Audience.STAFF) == feedback
    assert interview.feedback_for(Audience.CLINIC) == feedback
    assert interview.feedback_for(Audience.CANDIDATE) == ""
    to_candidate = [m for m in mails() if m.payload["to"] == scene.candidate_user.email]
    assert all("Epic scheduling" not in text_of(m) for m in to_candidate)
    assert any(m.payload["template"] == "stage_changed" for m in to_candidate)


def test_a_no_show_declines_with_standard_words_for_the_candidate(scene: Scene) -> None:
    interview, later = _started(scene)
    with pytest.raises(InterviewError) as caught:
        interviews.record_outcome(
            interview, scene.clinic_user, "no_show", "", Stage.OFFERED, now=later
        )
    assert caught.value.field == "next_stage"
    db.session.rollback()
    interviews.record_outcome(
        interview, scene.clinic_user, "no_show", "Never came, never called", "rejected", now=later
    )
    db.session.commit()
    assert scene.application.stage == Stage.REJECTED
    change = scene.application.history[-1]
    assert change.text_for(Audience.CANDIDATE) == pipeline.CLINIC_DECLINED
    assert change.text_for(Audience.STAFF) == "Never came, never called"
    [stage_mail] = [
        m for m in mails("stage_changed") if m.payload["to"] == scene.candidate_user.email
    ]
    assert "never called" not in text_of(stage_mail)
    assert pipeline.CLINIC_DECLINED in text_of(stage_mail)


def test_the_interview_time_follows_the_clinic_zone(app: Any, scene: Scene) -> None:
    # The clinic's own zone (a Chicago practice), not the agency's (New York).
    scene.clinic.time_zone = "America/Chicago"
    db.session.commit()
    interview = book_first(scene, propose(scene))
    message = next(m for m in mails("interview_scheduled"))
    assert event_of(message)["DTSTART"].params["TZID"] == "America/Chicago"
    assert interview.starts_at is not None
    local = interview.starts_at.astimezone(ZoneInfo("America/Chicago"))
    assert local.strftime("%-I:%M %p") in message.payload["context"]["when"]


def test_the_staff_mail_viewer_hides_the_booking_links(scene: Scene) -> None:
    propose(scene)
    [message] = mails("interview_slots")
    body = text_of(message)
    links = [s["url"] for s in message.payload["context"]["slots"]]
    assert all(link in body for link in links)
    shown = mail.redact_links(body)
    # A booking link books for the candidate: only their own copy carries it.
    assert not any(link in shown for link in links)
    assert mail.REDACTED_LINK in shown


def test_upcoming_lists_waiting_proposals_then_booked_interviews_by_start(scene: Scene) -> None:
    make_candidate, make_application = factories.CandidateFactory(), factories.ApplicationFactory()
    opening = scene.application.opening

    def interview_for(first_name: str, opening: Any, *hours: float) -> Any:
        candidate = make_candidate(first_name=first_name)
        application = make_application(candidate, opening, stage="submitted")
        found = interviews.propose(application, scene.clinic_user, slots(*hours), "phone")
        db.session.commit()
        return found

    waiting = propose(scene, 48, 72)
    late = interview_for("Late", opening, 100, 120)
    soon = interview_for("Soon", opening, 30, 40)
    gone = interview_for("Gone", opening, 20, 30)
    for booked in (late, soon, gone):
        interviews.book(booked, booked.slots[0].id, booked.application.candidate.user)
    gone.starts_at = utcnow() - timedelta(hours=3)  # held three hours ago: no longer upcoming
    elsewhere = factories.OpeningFactory()(scene.other_clinic, title="Elsewhere desk")
    theirs = interview_for("Theirs", elsewhere, 10, 12)
    db.session.commit()

    assert interviews.upcoming(clinic_id=scene.clinic.id) == [waiting, soon, late]
    assert interviews.upcoming() == [waiting, theirs, soon, late]
    assert interviews.upcoming(clinic_id=scene.clinic.id, limit=2) == [waiting, soon]
    assert interviews.upcoming(clinic_id=scene.other_clinic.id) == [theirs]

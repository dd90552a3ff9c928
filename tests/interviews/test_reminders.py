"""Reminders 24 hours and 2 hours before, each once however often the scan runs; and the
invitation delivered through the real outbox arrives with its .ics attached."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flask import Flask
from icalendar import Calendar

from agency.extensions import db
from agency.models import InterviewReminder, OutboxStatus, utcnow
from agency.services import delivery, interviews
from agency.services.interviews import SlotInput
from tests.interviews.conftest import Scene, book_first, mails, propose, text_of


def _reminders() -> list[tuple[str, str]]:
    return sorted(
        (m.payload["context"]["kind"], m.payload["to"]) for m in mails("interview_reminder")
    )


def test_each_reminder_goes_to_everyone_once(scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 30, 50))  # booked 30 hours ahead
    assert interview.starts_at is not None
    start = interview.starts_at
    assert interviews.stage_reminders(now=start - timedelta(hours=30)) == 0  # too early
    assert interviews.stage_reminders(now=start - timedelta(hours=23)) == 1
    assert interviews.stage_reminders(now=start - timedelta(hours=22)) == 0  # never twice
    everyone = {scene.candidate_user.email, scene.clinic_user.email, scene.staff.email}
    assert {to for kind, to in _reminders() if kind == "24h"} == everyone
    assert interviews.stage_reminders(now=start - timedelta(hours=1, minutes=50)) == 1
    assert interviews.stage_reminders(now=start - timedelta(hours=1)) == 0
    assert {to for kind, to in _reminders() if kind == "2h"} == everyone
    assert len(_reminders()) == 6
    assert interviews.stage_reminders(now=start + timedelta(minutes=5)) == 0  # it has begun
    to_candidate = next(
        m for m in mails("interview_reminder") if m.payload["to"] == scene.candidate_user.email
    )
    assert "Front Desk Receptionist" in text_of(to_candidate)


def test_a_missed_scan_sends_the_tighter_reminder_only(scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 30, 50))
    assert interview.starts_at is not None
    assert interviews.stage_reminders(now=interview.starts_at - timedelta(hours=1)) == 1
    assert {kind for kind, _ in _reminders()} == {"2h"}


def test_a_moved_interview_is_reminded_of_its_new_time(scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 20, 50))
    assert interview.starts_at is not None
    first_start = interview.starts_at
    assert interviews.stage_reminders(now=first_start - timedelta(hours=19)) == 1
    new_start = first_start + timedelta(days=2)
    interviews.reschedule(interview, scene.clinic_user, SlotInput(new_start, 30))
    db.session.commit()
    assert interviews.stage_reminders(now=new_start - timedelta(hours=23)) == 1
    rows = db.session.execute(db.select(InterviewReminder)).scalars().all()
    assert sorted(r.starts_at for r in rows) == [first_start, new_start]


def test_a_cancelled_interview_is_not_reminded(scene: Scene) -> None:
    interview = book_first(scene, propose(scene, 20, 50))
    interviews.cancel(interview, scene.clinic_user, "Closed for a holiday")
    db.session.commit()
    assert interview.starts_at is not None
    assert interviews.stage_reminders(now=interview.starts_at - timedelta(hours=1)) == 0


def test_the_beat_task_scans_and_is_idempotent(app: Flask, scene: Scene) -> None:
    book_first(scene, propose(scene, 1.5, 50))  # starts within two hours
    task = app.extensions["celery"].tasks["workers.interview_reminders"]
    task.run()
    task.run()
    assert {kind for kind, _ in _reminders()} == {"2h"}
    assert len(_reminders()) == 3
    assert "interview-reminders" in app.extensions["celery"].conf.beat_schedule


def test_the_delivered_invitation_carries_the_ics(app: Flask, scene: Scene) -> None:
    interview = book_first(scene, propose(scene))
    for message in mails():
        delivery.deliver(message.id)
    assert {m.status for m in mails()} == {OutboxStatus.SENT}
    sent = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    found: dict[str, Any] = {}
    for path in sent:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for part in msg.walk():
            if part.get_content_type() == "text/calendar" and part.get_filename() == "invite.ics":
                found[str(msg["To"])] = Calendar.from_ical(part.get_content())
                # The inline copy mail programs read for their accept button names its method.
                assert part.get_param("method") == "REQUEST"
    assert set(found) == {scene.candidate_user.email, scene.clinic_user.email, scene.staff.email}
    event = found[scene.candidate_user.email].walk("VEVENT")[0]
    assert str(event["UID"]) == interview.uid
    assert event.decoded("DTSTART") == interview.starts_at
    assert utcnow() < event.decoded("DTSTART")

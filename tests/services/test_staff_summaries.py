"""What staff are sent: one summary per credential-reminder scan, and a digest that labels each
kind of pipeline move by who made it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import OutboxMessage, Role, utcnow
from agency.services import delivery, digest, mail, pipeline, reminders


def emails(template: str) -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m for m in rows.scalars() if m.payload["template"] == template]


def fan_out() -> None:
    """Deliver the staff notifications: each stages one e-mail per staff user."""
    rows = db.session.execute(
        db.select(OutboxMessage.id).where(
            OutboxMessage.kind == "notify_staff", OutboxMessage.status == "pending"
        )
    ).scalars()
    for message_id in list(rows):
        assert delivery.deliver(message_id) is True


def text_of(message: OutboxMessage) -> str:
    msg = mail.build(
        message.payload["template"], message.payload["to"], message.payload["context"], "k"
    )
    return f"{msg['Subject']}\n{msg.get_body(('plain',)).get_content()}"


def test_staff_get_one_summary_per_scan_candidates_one_mail_per_threshold(
    app: Any, make_user: Any, make_candidate: Any, make_credential: Any
) -> None:
    staff = make_user(Role.STAFF)
    today = date.today()
    people = [make_candidate(first_name=name, last_name="Doe") for name in ("Ana", "Bea", "Cy")]
    for days, person in zip((5, 20, 50), people, strict=True):
        make_credential(person, "CPC", expires_on=today + timedelta(days=days))

    assert reminders.stage_credential_reminders(today) == 3
    assert reminders.stage_credential_reminders(today) == 0  # a re-run makes nothing new
    fan_out()
    assert len(emails("credential_expiring")) == 3  # one per candidate
    (summary,) = emails("staff_credential_reminders")
    assert summary.payload["to"] == staff.email
    text = text_of(summary)
    assert "Credential reminders: 3 candidates reminded" in text
    for name, days in (("Ana", 7), ("Bea", 30), ("Cy", 60)):
        assert f"{name} Doe: CPC expires" in text and f"(within {days} days)" in text
    assert emails("staff_credential_expiring") == []  # no per-credential staff mail

    # A later scan that crosses another threshold: one more summary, for that reminder alone.
    # (Cy's credential now has 25 days left; the other two have expired.)
    assert reminders.stage_credential_reminders(today + timedelta(days=25)) == 1
    fan_out()
    summaries = emails("staff_credential_reminders")
    assert len(summaries) == 2
    later = text_of(summaries[1])
    assert "1 candidate reminded" in later and "Cy Doe" in later and "Ana Doe" not in later
    assert len(emails("credential_expiring")) == 4


def test_the_digest_labels_each_kind_of_move(
    app: Any, make_user: Any, make_candidate: Any, make_opening: Any, make_application: Any
) -> None:
    staff = make_user(Role.STAFF)
    opening = make_opening(title="Front Desk")
    applicant = make_candidate(first_name="Ana", last_name="Applied")
    sourced = make_candidate(first_name="Sam", last_name="Sourced")
    declined = make_candidate(first_name="Dee", last_name="Declined")
    make_application(applicant, opening)
    pipeline.move(pipeline.source(sourced, opening, staff), "rejected", staff, reason="No")
    application = pipeline.source(declined, opening, staff)
    pipeline.move(application, "submitted", staff, confirm_ineligible=True)
    clinic_member = opening.clinic.members[0]
    pipeline.move(application, "rejected", clinic_member, reason="Position filled")
    db.session.commit()

    tomorrow = utcnow().date() + timedelta(days=1)
    context = digest.digest_context(tomorrow)
    kinds = {k["label"]: [i["candidate"] for i in k["items"]] for k in context["activity"]}
    assert kinds["New applications (the candidate applied)"] == ["Ana Applied"]
    assert kinds["Rejected by staff"] == ["Sam Sourced"]
    assert kinds["Declined by clinics"] == ["Dee Declined"]
    assert sorted(kinds["Added from the ranking by staff"]) == ["Dee Declined", "Sam Sourced"]
    assert kinds["Submitted to clinics"] == ["Dee Declined"]

    assert digest.stage_daily_digest(tomorrow) == 1
    (message,) = emails("staff_digest")
    assert message.payload["to"] == staff.email
    text = text_of(message)
    new_section = text.split("New applications (the candidate applied): 1")[1].split("\n\n")[0]
    assert "Ana Applied" in new_section and "Sam Sourced" not in new_section
    assert "Rejected by staff: 1\n  - Sam Sourced: Front Desk" in text
    assert "Declined by clinics: 1\n  - Dee Declined: Front Desk" in text

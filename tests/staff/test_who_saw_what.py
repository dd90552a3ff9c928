"""Who saw what: every staff or clinic view of a candidate's personal data is in the audit log,
an admin can filter it by candidate and by actor, and the candidate sees which organizations
looked (never which person)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask

from agency.extensions import db
from agency.models import AuditEvent, Role, User
from agency.services import mail, pipeline, privacy
from tests.conftest import login


def _views() -> list[AuditEvent]:
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == "candidate_viewed")
            .order_by(AuditEvent.id)
        ).scalars()
    )


def _pages(events: list[AuditEvent], page: str) -> list[AuditEvent]:
    return [e for e in events if (e.details or {}).get("page") == page]


def test_the_review_list_records_everyone_listed_in_one_insert(
    client: Any, staff: User, scene: Any, count_queries: Any
) -> None:
    url = f"/staff/openings/{scene.opening.id}"
    with count_queries() as q:
        page = client.get(url)
    assert page.status_code == 200
    listed = {scene.near.id, scene.other.id}  # the eligible two
    events = _pages(_views(), "opening_review")
    assert {e.candidate_id for e in events} >= listed
    for event in events:
        assert event.actor_id == staff.id and event.object_type == "candidate"
        assert event.details["opening_id"] == scene.opening.id
    inserts = [s for s in q.statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")]
    assert len(inserts) == 1, inserts


def test_breakdowns_and_the_application_page_are_recorded(
    client: Any, staff: User, scene: Any
) -> None:
    opening, near = scene.opening, scene.near
    for partial in ("", "?partial=1"):
        url = f"/staff/openings/{opening.id}/candidates/{scene.other.id}/breakdown{partial}"
        assert client.get(url).status_code == 200
    breakdowns = _pages(_views(), "match_breakdown")
    assert [e.candidate_id for e in breakdowns] == [scene.other.id, scene.other.id]
    application = db.session.execute(
        db.select(pipeline.Application).where(pipeline.Application.candidate_id == near.id)
    ).scalar_one()
    assert client.get(f"/staff/applications/{application.id}").status_code == 200
    [seen] = _pages(_views(), "application")
    assert (seen.candidate_id, seen.actor_id) == (near.id, staff.id)
    assert seen.details["application_id"] == application.id


def test_the_sent_mail_viewer_records_whose_mail_was_read(
    app: Flask, client: Any, staff: User, scene: Any
) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Your application"
    msg["To"] = scene.near.user.email.upper()
    msg["From"] = "no-reply@clinicmatch.local"
    msg.set_content("Hello")
    path = mail.write_to_dir(msg, Path(app.config["MAIL_DIR"]))
    assert client.get("/staff/mail").status_code == 200
    assert [e.candidate_id for e in _pages(_views(), "sent_mail")] == [scene.near.id]
    assert client.get(f"/staff/mail/{path.name}").status_code == 200
    [read] = _pages(_views(), "sent_mail_message")
    assert (read.candidate_id, read.actor_id) == (scene.near.id, staff.id)


def test_an_admin_filters_the_log_by_candidate_and_by_actor(
    app: Flask, client: Any, admin: User, make_user: Any, scene: Any
) -> None:
    colleague = make_user(Role.STAFF, email="colleague@example.com")
    other_client = app.test_client()
    assert login(other_client, colleague.email).status_code == 302
    assert other_client.get(f"/staff/candidates/{scene.far.id}").status_code == 200
    assert client.get(f"/staff/candidates/{scene.near.id}").status_code == 200

    about_far = client.get(f"/staff/admin/audit?candidate={scene.far.id}")
    assert about_far.status_code == 200
    html = about_far.get_data(as_text=True)
    assert f"candidate #{scene.far.id}<" in html and f"candidate #{scene.near.id}<" not in html
    by_colleague = client.get("/staff/admin/audit?actor=colleague").get_data(as_text=True)
    assert f"candidate #{scene.far.id}<" in by_colleague
    assert f"candidate #{scene.near.id}<" not in by_colleague
    for bad in ("0", "99999999999"):
        refused = client.get(f"/staff/admin/audit?candidate={bad}")
        assert refused.status_code == 200  # the one status every form error answers
        assert "Number must be between 1 and" in refused.get_data(as_text=True)


def test_the_candidate_sees_which_organizations_looked_never_who(
    app: Flask, client: Any, staff: User, scene: Any, make_user: Any
) -> None:
    near = scene.near
    application = db.session.execute(
        db.select(pipeline.Application).where(pipeline.Application.candidate_id == near.id)
    ).scalar_one()
    pipeline.move(application, "submitted", staff)
    db.session.commit()
    assert client.get(f"/staff/candidates/{near.id}").status_code == 200
    member = db.session.execute(
        db.select(User).where(User.clinic_id == scene.clinic.id)
    ).scalar_one()
    clinic_client = app.test_client()
    assert login(clinic_client, member.email).status_code == 302
    assert clinic_client.get(f"/clinic/openings/{scene.opening.id}").status_code == 200

    own = app.test_client()
    assert login(own, near.user.email).status_code == 302
    page = own.get("/me/settings").get_data(as_text=True)
    assert "Who viewed your profile" in page
    assert scene.clinic.name in page
    assert "The agency" in page
    assert staff.email not in page and member.email not in page
    # Another candidate's page lists nobody.
    other = app.test_client()
    assert login(other, scene.far.user.email).status_code == 302
    assert scene.clinic.name not in other.get("/me/settings").get_data(as_text=True)


def test_an_erased_person_has_no_breakdown(client: Any, staff: User, scene: Any) -> None:
    privacy.erase(scene.other)
    db.session.commit()
    url = f"/staff/openings/{scene.opening.id}/candidates/{scene.other.id}/breakdown"
    assert client.get(url).status_code == 404


def test_every_staff_list_of_people_records_who_was_shown(
    client: Any, staff: User, scene: Any, count_queries: Any
) -> None:
    pages = {
        "dashboard": "/staff/",
        "pipeline": "/staff/pipeline",
        "candidate_search": "/staff/candidates",
        "batch_proposal": f"/staff/batch/proposal?opening={scene.opening.id}",
    }
    for page, url in pages.items():
        with count_queries() as q:
            assert client.get(url).status_code == 200, url
        shown = {e.candidate_id for e in _pages(_views(), page)}
        assert scene.near.id in shown, page
        inserts = [s for s in q.statements if "INSERT INTO audit_events" in s]
        assert len(inserts) == 1, (page, inserts)

"""Download all my data (JSON, field by field) and erase my account (field by field)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    AuthToken,
    Candidate,
    CandidateSkill,
    Credential,
    CredentialType,
    Decision,
    Match,
    Note,
    OutboxMessage,
    Skill,
    StageChange,
    User,
)
from agency.services import applications, pipeline, uploads
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import make_pdf
from tests.factories import PASSWORD


@pytest.fixture
def rich(client: FlaskClient, signed_in, make_opening, make_user):
    """A candidate with skills, a resume, a credential with a document, an application with
    history (one step by staff, one by the candidate), a staff note and pending mail."""
    c = signed_in
    skill = db.session.execute(db.select(Skill).where(Skill.code == "typing")).scalar_one()
    c.skills.append(CandidateSkill(skill=skill, level=3))
    db.session.commit()
    client.post("/me/resume", **multipart({"resume": upload(make_pdf("Typing 70 WPM"), "cv.pdf")}))
    client.post(
        "/me/credentials",
        **multipart(
            {
                "credential_type_id": str(
                    db.session.execute(
                        db.select(CredentialType.id).where(CredentialType.code == "CMAA")
                    ).scalar_one()
                ),
                "issuer": "NHA",
                "number": "N-9",
                "document": upload(make_pdf("certificate"), "cert.pdf"),
            }
        ),
    )
    staff = make_user("staff")
    opening = make_opening(title="Scheduler")
    app_row = applications.apply(c, opening, "My personal note", c.user).application
    pipeline.move(app_row, "shortlisted", staff, "good typist")
    db.session.add(Note(author_id=staff.id, candidate_id=c.id, body="Staff-only remark"))
    db.session.add(Note(author_id=staff.id, application_id=app_row.id, body="Interview notes"))
    db.session.commit()
    return c


def _export(client: FlaskClient) -> dict:
    response = client.post("/me/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def test_export_has_every_field_and_no_staff_notes(client: FlaskClient, rich) -> None:
    data = _export(client)
    user_cols = {c.key for c in User.__table__.columns} - {"password_hash", "session_version"}
    assert set(data["user"]) == user_cols
    assert data["user"]["email"] == rich.user.email
    assert set(data["candidate"]) == {c.key for c in Candidate.__table__.columns} - {"resume_path"}
    cand = data["candidate"]
    assert cand["first_name"] == rich.first_name and cand["phone"] == rich.phone
    assert cand["min_pay"] == "18.00" and cand["availability_mask"] == (1 << 21) - 1
    assert cand["resume_filename"] == "cv.pdf" and "Typing 70 WPM" in cand["resume_text"]
    [skill] = data["skills"]
    assert set(skill) >= {c.key for c in CandidateSkill.__table__.columns}
    assert (skill["skill_code"], skill["level"]) == ("typing", 3)
    creds = {c["credential_code"]: c for c in data["credentials"]}
    assert set(creds["CMAA"]) >= {c.key for c in Credential.__table__.columns} - {
        "document_path",
        "verified_by_id",
    }
    assert "document_path" not in creds["CMAA"]
    [application] = data["applications"]
    # Every column but what the clinic is billed: a candidate never reads bill rates.
    assert set(application) >= {c.key for c in Application.__table__.columns} - {"bill_rate"}
    assert "bill_rate" not in application
    assert application["note"] == "My personal note" and application["opening_title"] == "Scheduler"
    assert [h["to_stage"] for h in application["history"]] == ["applied", "shortlisted"]
    assert set(application["history"][0]) == {c.key for c in StageChange.__table__.columns}
    body = json.dumps(data)
    assert "Staff-only remark" not in body and "Interview notes" not in body
    assert "password" not in body
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "data_export")
    ).scalar_one()
    assert (event.object_type, event.object_id) == ("candidate", rich.id)


def test_export_needs_post(client: FlaskClient, signed_in) -> None:
    assert client.get("/me/export").status_code == 405


def test_delete_needs_the_right_password(client: FlaskClient, signed_in) -> None:
    response = client.post("/me/delete", data={"password": "wrong", "understood": "y"})
    assert response.status_code == 200 and "That is not your password." in response.get_data(
        as_text=True
    )
    response = client.post("/me/delete", data={"password": PASSWORD})
    assert "Please confirm." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, signed_in.id).status == "active"


def test_erasure_field_by_field(client: FlaskClient, rich) -> None:
    user_id, email, cid = rich.user_id, rich.user.email, rich.id
    resume_path = rich.resume_path
    doc_paths = [c.document_path for c in rich.credentials if c.document_path]
    assert resume_path and doc_paths
    db.session.add(
        AuthToken(
            user_id=user_id,
            purpose="password_reset",
            token_hash="x" * 64,
            expires_at=rich.created_at,
        )
    )
    db.session.commit()
    pending_mail = (
        db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
        .scalars()
        .all()
    )
    assert any(m.payload.get("to") == email for m in pending_mail)

    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    db.session.expire_all()

    c = db.session.get(Candidate, cid)
    assert c.first_name == "Erased" and c.last_name == "" and c.full_name == "Erased"
    assert (c.phone, c.zip_code, c.lat, c.lon) == ("", "", None, None)
    assert (c.summary, c.resume_text, c.resume_path, c.resume_filename) == ("", "", None, None)
    assert (c.languages, c.ehr_systems, c.typing_wpm, c.min_pay) == ([], [], None, None)
    assert c.status == "erased" and c.user_id is None and c.consent_share_profile is False
    assert c.skills == [] and c.credentials == []
    # Files are gone from disk.
    assert uploads.path_of(resume_path) is None
    assert all(uploads.path_of(p) is None for p in doc_paths)
    # The login is gone: no user row, no tokens, and the password no longer works.
    assert db.session.get(User, user_id) is None
    assert db.session.execute(db.select(AuthToken)).first() is None
    assert client.get("/me").status_code == 302  # signed out
    # The application stays for the agency's numbers, without personal data, and closed.
    [app_row] = db.session.execute(db.select(Application)).scalars().all()
    assert (app_row.candidate_id, app_row.stage, app_row.note) == (cid, "withdrawn", "")
    assert app_row.stage_reason == "account erased"
    assert [h.to_stage for h in app_row.history] == ["applied", "shortlisted", "withdrawn"]
    assert db.session.execute(db.select(Decision)).scalars().first() is not None
    assert db.session.execute(db.select(Note)).first() is None  # staff notes about them
    assert db.session.execute(db.select(Match)).first() is None
    # No mail to the erased address is waiting to go out; staff are told (without the name).
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert not any(m.payload.get("to") == email for m in rows)
    told = [
        m for m in rows if m.kind == "notify_staff" and m.payload.get("event") == "account_erased"
    ]
    assert [m.payload for m in told] == [{"event": "account_erased", "candidate_id": cid}]
    assert rich.first_name not in json.dumps([m.payload for m in rows])
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "data_erasure")
    ).scalar_one()
    assert (event.object_type, event.object_id) == ("candidate", cid)
    # No audit detail still carries the e-mail.
    for audit_event in db.session.execute(db.select(AuditEvent)).scalars():
        assert email not in json.dumps(audit_event.details)
    # And the password no longer opens anything.
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 200
    assert client.get("/me").status_code == 302

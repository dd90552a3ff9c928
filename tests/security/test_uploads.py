"""Uploads through the real forms: judged by content, size-limited, zip bombs refused, stored
under random names outside the web root, and handed back only to the owner and agency staff,
always as an attachment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Candidate, Credential, CredentialType, Role
from agency.services import uploads
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import docx_zip_bomb, make_docx, make_pdf, pdf_that_is_a_zip
from tests.conftest import login
from tests.security.conftest import fingerprint

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def people(app: Flask, taxonomy: Any, make_candidate: Any, make_clinic: Any, make_user: Any):
    return {
        "owner": make_candidate(),
        "stranger": make_candidate(),
        "clinic": make_clinic().members[0],
        "staff": make_user(Role.STAFF),
    }


def _as(client: FlaskClient, user: Any) -> FlaskClient:
    client.post("/logout")
    assert login(client, user.email).status_code == 302
    return client


def _stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _cmaa() -> int:
    return db.session.execute(
        db.select(CredentialType.id).where(CredentialType.code == "CMAA")
    ).scalar_one()


def test_resume_round_trip_only_to_owner_and_staff(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    owner = people["owner"]
    _as(client, owner.user)
    response = client.post(
        "/me/resume", **multipart({"resume": upload(make_pdf("Typing"), "Maria CV.pdf")})
    )
    assert response.status_code in (200, 302)
    [stored] = _stored_files(app)
    # Random name, right extension, outside the static folder, readable by the app only.
    assert "Maria" not in stored.name and len(stored.stem) == 32 and stored.suffix == ".pdf"
    assert Path(app.static_folder or "").resolve() not in stored.resolve().parents
    assert stored.stat().st_mode & 0o077 == 0
    url = f"/files/resumes/{owner.id}"
    mine = client.get(url)
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF-")
    assert mine.headers["Content-Disposition"].startswith("attachment")
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert mine.mimetype == "application/pdf"

    assert _as(client, people["stranger"].user).get(url).status_code == 404
    assert _as(client, people["clinic"]).get(url).status_code == 403
    staff = _as(client, people["staff"]).get(url)
    assert staff.status_code == 200 and staff.headers["Content-Disposition"].startswith(
        "attachment"
    )
    client.post("/logout")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_credential_document_only_to_owner_and_staff(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    owner = people["owner"]
    _as(client, owner.user)
    response = client.post(
        "/me/credentials",
        **multipart(
            {
                "credential_type_id": str(_cmaa()),
                "issuer": "NHA",
                "number": "N-1",
                "document": upload(PNG, "scan.png"),
            }
        ),
    )
    assert response.status_code == 302
    credential = db.session.execute(db.select(Credential)).scalar_one()
    assert credential.document_path and "scan" not in credential.document_path
    url = f"/files/credentials/{credential.id}"
    mine = client.get(url)
    assert mine.status_code == 200 and mine.mimetype == "image/png"
    assert mine.headers["Content-Disposition"] == "attachment; filename=scan.png"

    assert _as(client, people["stranger"].user).get(url).status_code == 404
    assert _as(client, people["clinic"]).get(url).status_code == 403
    assert _as(client, people["staff"]).get(url).status_code == 200
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "document_downloaded")
    ).scalar_one()
    assert (event.actor_id, event.object_id) == (people["staff"].id, credential.id)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text", "cv.pdf", "PDF or Word"),
        (PNG, "cv.pdf", "PDF or Word"),
        (pdf_that_is_a_zip(), "cv.pdf", "not really a PDF"),
        (docx_zip_bomb(64), "cv.docx", "expands to more than we accept"),
        (make_pdf() + b"\0" * uploads.MAX_BYTES, "cv.pdf", "larger than 5 MB"),
        (b"", "cv.pdf", ""),
    ],
    ids=["text-named-pdf", "image", "zip-in-pdf", "docx-zip-bomb", "too-large", "empty"],
)
def test_bad_files_are_refused_without_a_trace(
    app: Flask,
    client: FlaskClient,
    people: dict[str, Any],
    data: bytes,
    name: str,
    message: str,
) -> None:
    _as(client, people["owner"].user)
    before = fingerprint()
    response = client.post("/me/resume", **multipart({"resume": upload(data, name)}))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'class="field-error"' in body and message in body
    assert _stored_files(app) == []
    assert fingerprint() == before


def test_the_stored_file_is_the_checked_bytes_not_the_claimed_type(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    # A real Word file sent as "photo.pdf" with an image content type is stored as .docx.
    owner = people["owner"]
    _as(client, owner.user)
    response = client.post("/me/resume", **multipart({"resume": upload(make_docx(), "photo.pdf")}))
    assert response.status_code in (200, 302)
    db.session.expire_all()
    stored = db.session.get(Candidate, owner.id).resume_path
    assert stored.endswith(".docx")
    served = client.get(f"/files/resumes/{owner.id}")
    assert served.mimetype == uploads.MIME_TYPES[uploads.DOCX]


def test_stored_names_never_repeat(app: Flask) -> None:
    checked = uploads.check(make_pdf(), "same.pdf", uploads.RESUME_KINDS)
    names = {uploads.store(checked, "resumes") for _ in range(20)}
    db.session.rollback()
    assert len(names) == 20

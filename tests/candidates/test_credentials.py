"""Credentials: add, edit (verified goes back to pending), dates, documents, expiry display."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Credential, CredentialType, OutboxMessage
from agency.services import profiles
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import make_docx, make_pdf, pdf_that_is_a_zip
from tests.conftest import login

TODAY = date.today()


def _type_id(code: str = "CMAA") -> int:
    return db.session.execute(
        db.select(CredentialType.id).where(CredentialType.code == code)
    ).scalar_one()


def _form(**overrides) -> dict:
    data = {
        "credential_type_id": str(_type_id()),
        "issuer": "NHA",
        "number": "A-123",
        "issued_on": (TODAY - timedelta(days=400)).isoformat(),
        "expires_on": (TODAY + timedelta(days=300)).isoformat(),
    }
    data.update(overrides)
    return data


def _credentials() -> list[Credential]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Credential)).scalars())


def test_add_credential_with_document(client: FlaskClient, signed_in) -> None:
    data = _form(document=upload(make_pdf("CMAA certificate"), "cert.pdf"))
    response = client.post("/me/credentials", **multipart(data))
    assert response.status_code == 302
    [cred] = _credentials()
    assert (cred.issuer, cred.number, cred.verification_status) == ("NHA", "A-123", "pending")
    assert cred.document_filename == "cert.pdf" and cred.document_path.startswith("credentials/")
    kinds = [m.kind for m in db.session.execute(db.select(OutboxMessage)).scalars()]
    assert kinds == ["rescore_candidate"]
    download = client.get(f"/files/credentials/{cred.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"expires_on": (TODAY - timedelta(days=400 + 1)).isoformat()},
            "expires_on",
            "before the issue date",
        ),
        (
            {"expires_on": (TODAY - timedelta(days=1)).isoformat(), "issued_on": ""},
            "expires_on",
            "has expired",
        ),
        (
            {"issued_on": (TODAY + timedelta(days=3)).isoformat()},
            "issued_on",
            "cannot be in the future",
        ),
        ({"issued_on": "1066-10-14"}, "issued_on", "Enter a real date"),
        ({"expires_on": "9999-12-31"}, "expires_on", "Enter a real date"),
        ({"issued_on": "2024-02-30"}, "issued_on", "Not a valid date"),
        ({"issued_on": "yesterday"}, "issued_on", "Not a valid date"),
        ({"credential_type_id": ""}, "credential_type_id", "Choose a credential"),
        ({"credential_type_id": "999999"}, "credential_type_id", "Not a valid choice"),
        ({"credential_type_id": "abc"}, "credential_type_id", "Invalid Choice"),
        ({"number": "9" * 81}, "number", "longer than 80"),
    ],
)
def test_bad_credential_input(client: FlaskClient, signed_in, overrides, field, message) -> None:
    response = client.post("/me/credentials", data=_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and f'id="{field}-error"' in html
    assert _credentials() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (make_docx(), "Please upload a PDF, PNG or JPEG file."),
        (pdf_that_is_a_zip(), "not really a PDF"),
        (b"GIF89a" + b"\0" * 20, "Please upload a PDF, PNG or JPEG file."),
        (make_pdf() + b"\0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_bad_documents_are_refused(client: FlaskClient, signed_in, data, message) -> None:
    response = client.post("/me/credentials", **multipart(_form(document=upload(data, "c.pdf"))))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and 'id="document-error"' in html
    assert _credentials() == []


def test_editing_a_verified_credential_returns_it_to_pending(
    client: FlaskClient, signed_in, make_credential, make_user
) -> None:
    staff = make_user("staff")
    cred = make_credential(signed_in, "CMAA", verified_by_id=staff.id)
    assert cred.verification_status == "verified"
    unchanged = {
        "credential_type_id": str(cred.credential_type_id),
        "issuer": cred.issuer,
        "number": cred.number,
        "issued_on": cred.issued_on.isoformat(),
        "expires_on": cred.expires_on.isoformat(),
    }
    client.post(f"/me/credentials/{cred.id}/edit", data=unchanged)
    assert _credentials()[0].verification_status == "verified"  # saving nothing changes nothing
    response = client.post(f"/me/credentials/{cred.id}/edit", data={**unchanged, "number": "NEW-1"})
    assert response.status_code == 302
    [after] = _credentials()
    assert (after.number, after.verification_status) == ("NEW-1", "pending")
    assert after.verified_by_id is None and after.verified_at is None
    event = (
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == "credential_saved")
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.details == {"reset_to_pending": True}


def test_delete_credential_removes_its_file(client: FlaskClient, signed_in) -> None:
    client.post("/me/credentials", **multipart(_form(document=upload(make_pdf(), "c.pdf"))))
    [cred] = _credentials()
    from agency.services import uploads

    assert uploads.path_of(cred.document_path) is not None
    path = cred.document_path
    assert client.post(f"/me/credentials/{cred.id}/delete").status_code == 302
    assert _credentials() == [] and uploads.path_of(path) is None


def test_expiry_is_shown_clearly(client: FlaskClient, signed_in, make_credential) -> None:
    make_credential(signed_in, "CMAA", expires_on=TODAY - timedelta(days=2))
    make_credential(signed_in, "CPC", expires_on=TODAY + timedelta(days=10))
    make_credential(signed_in, "CBCS", expires_on=TODAY + timedelta(days=200))
    html = client.get("/me/credentials").get_data(as_text=True)
    assert "Expired " in html and "badge-danger" in html
    assert "Expires in 10 days" in html and "badge-warning" in html
    assert "Valid until" in html
    dashboard = client.get("/me").get_data(as_text=True)
    assert "Credentials that need attention" in dashboard
    assert "Expires in 10 days" in dashboard and "Expired " in dashboard


def test_expiry_states() -> None:
    cred = Credential(expires_on=TODAY)
    assert profiles.expiry(cred, TODAY).label == "Expires today"
    assert profiles.expiry(cred, TODAY + timedelta(days=1)).state == "expired"
    assert profiles.expiry(cred, TODAY - timedelta(days=30)).state == "expiring"
    assert profiles.expiry(cred, TODAY - timedelta(days=31)).state == "valid"
    assert profiles.expiry(Credential(expires_on=None), TODAY).state == "none"


def test_another_candidates_credential_is_404(
    client: FlaskClient, signed_in, make_candidate, make_credential
) -> None:
    other = make_credential(make_candidate(), "CMAA", document_path="credentials/x.pdf")
    assert client.get(f"/me/credentials/{other.id}/edit").status_code == 404
    assert client.post(f"/me/credentials/{other.id}/edit", data=_form()).status_code == 404
    assert client.post(f"/me/credentials/{other.id}/delete").status_code == 404
    assert client.get(f"/files/credentials/{other.id}").status_code == 404
    assert client.get("/me/credentials/99999999/edit").status_code == 404
    assert _credentials()[0].number == "12345"


def _pending_files(app) -> list:
    from pathlib import Path

    root = Path(app.config["UPLOAD_DIR"]) / "pending"
    return [p for p in root.glob("*/*") if p.is_file()] if root.is_dir() else []


def _kept_token(html: str) -> str:
    import re

    match = re.search(r'name="kept_document"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="kept_document"', html
    )
    assert match, "no kept document in the form"
    return match.group(1)


def test_document_is_kept_after_a_form_error(app, client: FlaskClient, signed_in) -> None:
    bad = _form(
        issued_on=(TODAY + timedelta(days=3)).isoformat(),
        document=upload(make_pdf("CMAA certificate"), "cert.pdf"),
    )
    response = client.post("/me/credentials", **multipart(bad))
    assert response.status_code != 302 and _credentials() == []
    html = response.get_data(as_text=True)
    assert "Document kept: cert.pdf (choose another to replace it)" in html
    token = _kept_token(html)
    assert len(_pending_files(app)) == 1

    # The retry has no file: the kept one is saved with the credential, then removed.
    response = client.post("/me/credentials", **multipart(_form(kept_document=token)))
    assert response.status_code == 302
    [cred] = _credentials()
    assert cred.document_filename == "cert.pdf" and cred.document_path.startswith("credentials/")
    assert client.get(f"/files/credentials/{cred.id}").data.startswith(b"%PDF-")
    assert _pending_files(app) == []


def test_a_kept_document_belongs_only_to_its_user(
    app, client: FlaskClient, signed_in, make_candidate
) -> None:
    bad = _form(issued_on="yesterday", document=upload(make_pdf("CMAA"), "cert.pdf"))
    token = _kept_token(client.post("/me/credentials", **multipart(bad)).get_data(as_text=True))
    other = make_candidate(phone="(617) 555-0111")
    other_client = app.test_client()
    assert login(other_client, other.user.email).status_code == 302
    response = other_client.post("/me/credentials", **multipart(_form(kept_document=token)))
    assert response.status_code == 302
    [cred] = _credentials()
    assert cred.candidate_id == other.id and cred.document_path is None
    assert len(_pending_files(app)) == 1  # still the owner's
    # A forged token names nothing either.
    client.post("/me/credentials", **multipart(_form(kept_document=token + "x", number="B-2")))
    assert all(c.document_path is None for c in _credentials())


def test_a_kept_document_is_checked_again(app, client: FlaskClient, signed_in) -> None:
    bad = _form(issued_on="yesterday", document=upload(make_pdf("CMAA"), "cert.pdf"))
    token = _kept_token(client.post("/me/credentials", **multipart(bad)).get_data(as_text=True))
    [kept] = _pending_files(app)
    kept.write_bytes(pdf_that_is_a_zip())  # changed on disk since: refused like an upload
    response = client.post("/me/credentials", **multipart(_form(kept_document=token)))
    assert response.status_code == 302
    [cred] = _credentials()
    assert cred.document_path is None and _pending_files(app) == []


def test_a_kept_document_nobody_came_back_for_goes_with_the_daily_clean_up(
    app, client: FlaskClient, signed_in
) -> None:
    import os
    import time

    from agency.services import pending_uploads, retention

    bad = _form(issued_on="yesterday", document=upload(make_pdf("CMAA"), "cert.pdf"))
    client.post("/me/credentials", **multipart(bad))  # the form is then left alone
    [kept] = _pending_files(app)
    assert retention.purge().pending_uploads == 0  # a fresh one waits for the retry
    assert _pending_files(app) == [kept]
    day_old = time.time() - pending_uploads.MAX_AGE - 60
    os.utime(kept, (day_old, day_old))
    assert retention.purge().pending_uploads == 1
    assert _pending_files(app) == []

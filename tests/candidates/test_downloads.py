"""Downloading a resume or a credential document: never cached (`no-store`), and sent under a
cleaned name in RFC 6266 `filename`/`filename*` form, whatever name was uploaded or stored."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Candidate, Credential, CredentialType
from agency.services import uploads
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import make_pdf

HOSTILE = "Lebenslauf M\u00fcller\u202egpj.exe\u200b\x07\x1b.pdf"
CLEANED = "Lebenslauf M\u00fcllergpj.exe.pdf"


def _parameters(response: Any) -> dict[str, str]:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;")
    params = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        params[key] = value
    return params


def _no_unshowable(text: str) -> bool:
    return not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text)


def _resume(client: FlaskClient, candidate: Candidate) -> Any:
    response = client.get(f"/files/resumes/{candidate.id}")
    assert response.status_code == 200
    return response


def test_uploaded_name_is_stored_clean_and_sent_as_rfc_6266(
    client: FlaskClient, signed_in: Candidate
) -> None:
    response = client.post("/me/resume", **multipart({"resume": upload(make_pdf(), HOSTILE)}))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, signed_in.id).resume_filename == CLEANED  # type: ignore[union-attr]
    assert CLEANED in client.get("/me/resume").get_data(as_text=True)

    download = _resume(client, signed_in)
    params = _parameters(download)
    # An ASCII fallback for old clients and the exact name, UTF-8 and percent-encoded.
    assert params["filename"].strip('"') == "Lebenslauf Mullergpj.exe.pdf"
    assert params["filename*"].startswith("UTF-8''")
    assert unquote(params["filename*"][len("UTF-8''") :]) == CLEANED
    assert _no_unshowable(download.headers["Content-Disposition"])
    assert download.headers["Cache-Control"] == "no-store"
    assert "Expires" not in download.headers


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("cv\u202efdp.exe", "cvfdp.exe"),
        ("line\r\nbreak\x01.pdf", "linebreak.pdf"),
        ("\u2066\u2069", None),  # nothing left: the stored file's own name
    ],
)
def test_names_stored_before_cleaning_are_cleaned_when_sent(
    client: FlaskClient, signed_in: Candidate, stored: str, sent: str | None
) -> None:
    client.post("/me/resume", **multipart({"resume": upload(make_pdf(), "cv.pdf")}))
    candidate = db.session.get(Candidate, signed_in.id)
    assert candidate is not None
    candidate.resume_filename = stored  # as an upload before names were cleaned left it
    db.session.commit()
    params = _parameters(_resume(client, signed_in))
    name = params.get("filename", "").strip('"')
    assert _no_unshowable(name) and _no_unshowable(unquote(params.get("filename*", "")))
    if sent is None:
        assert name.endswith(".pdf") and len(name) > len(".pdf")
    else:
        assert name == sent


def test_credential_documents_are_not_cached(client: FlaskClient, signed_in: Candidate) -> None:
    type_id = db.session.execute(
        db.select(CredentialType.id).where(CredentialType.code == "CMAA")
    ).scalar_one()
    response = client.post(
        "/me/credentials",
        **multipart(
            {
                "credential_type_id": str(type_id),
                "issuer": "NHA",
                "number": "A-1",
                "issued_on": "2024-01-01",
                "expires_on": "2031-01-01",
                "document": upload(make_pdf("CMAA"), "cert\u202efdp.pdf"),
            }
        ),
    )
    assert response.status_code == 302
    credential = db.session.execute(db.select(Credential)).scalar_one()
    assert credential.document_filename == "certfdp.pdf"
    download = client.get(f"/files/credentials/{credential.id}")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert _parameters(download)["filename"].strip('"') == "certfdp.pdf"


def test_clean_filename() -> None:
    assert uploads.clean_filename("C:\\Users\\ana\\cv.pdf") == "cv.pdf"
    assert uploads.clean_filename("../../etc/\x00passwd") == "passwd"
    assert uploads.clean_filename("  two\u2028lines .pdf ") == "twolines .pdf"
    assert uploads.clean_filename("e\u0301t\u00e9.pdf") == "\u00e9t\u00e9.pdf"  # NFC
    assert uploads.clean_filename(None) == ""
    assert len(uploads.clean_filename("x" * 500)) == 200

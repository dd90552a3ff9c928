"""Migration 0006 cleans the uploaded file names stored before uploads cleaned them."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade

from agency import create_app
from agency.extensions import db
from agency.models import Candidate, Credential
from tests import factories
from tests.conftest import base_config
from tests.test_migrations import empty_db_url  # noqa: F401 (the fixture)


def test_stored_names_lose_control_and_bidi_characters(
    tmp_path: Path,
    empty_db_url: str,  # noqa: F811
) -> None:
    app = create_app(base_config(tmp_path, empty_db_url))
    with app.app_context():
        upgrade(revision="0006-1")
        candidate = factories.CandidateFactory()(
            resume_filename="cv\u202efdp.exe", resume_path="resumes/a.pdf"
        )
        kept = factories.CandidateFactory()(resume_filename="Lebenslauf M\u00fcller.pdf")
        credential = factories.CredentialFactory()(
            candidate,
            "CPC",
            document_filename="\x01\u2066\u2069",
            document_path="credentials/b.pdf",
        )
        ids = candidate.id, kept.id, credential.id
        db.session.remove()
        upgrade(revision="0006")
        assert db.session.get(Candidate, ids[0]).resume_filename == "cvfdp.exe"  # type: ignore[union-attr]
        assert db.session.get(Candidate, ids[1]).resume_filename == "Lebenslauf M\u00fcller.pdf"  # type: ignore[union-attr]
        assert db.session.get(Credential, ids[2]).document_filename == "document"  # type: ignore[union-attr]
        db.session.remove()
        db.engine.dispose()

"""Resume upload: content checks, text extraction, and suggestions the candidate confirms."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Candidate, OutboxMessage
from agency.services import uploads
from tests.candidates.conftest import multipart, upload
from tests.candidates.files import (
    RESUME_TEXT,
    docx_zip_bomb,
    make_docx,
    make_pdf,
    make_zip,
    pdf_that_is_a_zip,
)


def _reload(candidate: Candidate) -> Candidate:
    db.session.expire_all()
    return db.session.get(Candidate, candidate.id)


def _upload(client: FlaskClient, data: bytes, name: str = "cv.pdf"):
    return client.post("/me/resume", **multipart({"resume": upload(data, name)}))


@pytest.mark.parametrize(("maker", "name"), [(make_pdf, "cv.pdf"), (make_docx, "cv.docx")])
def test_upload_extracts_text_and_nothing_is_written_silently(
    client: FlaskClient, signed_in, maker, name
) -> None:
    signed_in.ehr_systems, signed_in.languages, signed_in.typing_wpm = [], [], None
    db.session.commit()
    response = _upload(client, maker(RESUME_TEXT), name)
    assert response.status_code == 302
    c = _reload(signed_in)
    assert "Insurance verification" in c.resume_text or "insurance verification" in c.resume_text
    assert c.resume_filename == name and uploads.path_of(c.resume_path) is not None
    # Found skills are only offered: the profile itself is unchanged.
    assert c.skills == [] and c.ehr_systems == [] and c.typing_wpm is None
    html = client.get("/me/resume").get_data(as_text=True)
    assert "Found in your resume" in html
    assert "Insurance verification" in html and "eClinicalWorks" in html and "65 words" in html
    assert "Certified Medical Administrative Assistant" in html  # credential hint
    kinds = [m.kind for m in db.session.execute(db.select(OutboxMessage)).scalars()]
    assert kinds == ["rescore_candidate"]


def test_confirming_writes_only_the_ticked_suggestions(client: FlaskClient, signed_in) -> None:
    signed_in.ehr_systems, signed_in.languages, signed_in.typing_wpm = ["epic"], ["english"], None
    db.session.commit()
    _upload(client, make_pdf(RESUME_TEXT))
    response = client.post(
        "/me/resume/suggestions",
        data={
            "skills": [
                "insurance_verification",
                "phone_handling",
                "cpt_coding",
            ],  # cpt: not offered
            "ehr_systems": ["eclinicalworks", "cerner"],  # cerner: not offered
            "languages": [],
            "typing_wpm": "y",
        },
    )
    assert response.status_code == 302
    c = _reload(signed_in)
    assert {cs.skill.code: (cs.level, cs.source) for cs in c.skills} == {
        "insurance_verification": (2, "resume"),
        "phone_handling": (2, "resume"),
    }
    assert c.ehr_systems == ["eclinicalworks", "epic"]
    assert c.languages == ["english"]  # Spanish was offered but not ticked
    assert c.typing_wpm == 65


def test_suggestions_never_lower_a_level(client: FlaskClient, signed_in) -> None:
    from agency.models import CandidateSkill, Skill

    skill = db.session.execute(
        db.select(Skill).where(Skill.code == "insurance_verification")
    ).scalar_one()
    signed_in.skills.append(CandidateSkill(skill=skill, level=4))
    db.session.commit()
    _upload(client, make_pdf(RESUME_TEXT))
    html = client.get("/me/resume").get_data(as_text=True)
    assert 'value="insurance_verification"' not in html  # already higher: not offered
    client.post("/me/resume/suggestions", data={"skills": ["insurance_verification"]})
    assert {cs.skill.code: cs.level for cs in _reload(signed_in).skills} == {
        "insurance_verification": 4
    }


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"plain text resume", "cv.pdf", "Please upload a PDF or Word (.docx) file."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "cv.png", "Please upload a PDF or Word (.docx) file."),
        (pdf_that_is_a_zip(), "cv.pdf", "not really a PDF"),
        (make_zip({"a.txt": b"hello"}), "cv.docx", "ZIP file, not a Word"),
        (docx_zip_bomb(64), "cv.docx", "expands to more than we accept"),
        (make_pdf() + b"\0" * (5 * 1024 * 1024), "cv.pdf", "larger than 5 MB"),
    ],
)
def test_bad_resume_files_are_refused(client: FlaskClient, signed_in, data, name, message) -> None:
    response = _upload(client, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and 'id="resume-error"' in html
    assert _reload(signed_in).resume_path is None
    assert _files(client) == []  # nothing left on disk either


def _files(client: FlaskClient) -> list:
    from pathlib import Path

    root = Path(client.application.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_missing_file_is_an_error_next_to_the_field(client: FlaskClient, signed_in) -> None:
    response = client.post("/me/resume", data={})
    assert response.status_code == 200
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_request_larger_than_the_server_limit_is_413(client: FlaskClient, signed_in) -> None:
    response = _upload(client, make_pdf() + b"\0" * (7 * 1024 * 1024))
    assert response.status_code == 413


def test_replacing_and_removing_the_resume_deletes_old_files(
    client: FlaskClient, signed_in
) -> None:
    _upload(client, make_pdf("first"))
    first = _reload(signed_in).resume_path
    _upload(client, make_docx("second"), "cv.docx")
    second = _reload(signed_in).resume_path
    assert uploads.path_of(first) is None and uploads.path_of(second) is not None
    download = client.get(f"/files/resumes/{signed_in.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=cv.docx"
    assert client.post("/me/resume/delete").status_code == 302
    c = _reload(signed_in)
    assert c.resume_path is None and c.resume_text == "" and uploads.path_of(second) is None
    assert client.get(f"/files/resumes/{signed_in.id}").status_code == 404


def test_unreadable_pdf_is_kept_without_text(client: FlaskClient, signed_in) -> None:
    broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    response = _upload(client, broken)
    assert response.status_code == 302
    c = _reload(signed_in)
    assert c.resume_path and c.resume_text == ""
    page = client.get("/me/resume")
    assert "could not read any text" in page.get_data(as_text=True)


def _skill_boxes(html: str) -> dict[str, bool]:
    """Each offered skill checkbox: code -> ticked."""
    import re

    boxes = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="skills"' in tag:
            code = re.search(r'value="([^"]+)"', tag)
            assert code
            boxes[code.group(1)] = bool(re.search(r"\bchecked\b", tag))
    return boxes


def test_clear_suggestions_come_ticked_and_say_why(client: FlaskClient, signed_in) -> None:
    text = RESUME_TEXT + "Proficient in insurance verification for 30 providers.\n"
    _upload(client, make_pdf(text))
    html = client.get("/me/resume").get_data(as_text=True)
    boxes = _skill_boxes(html)
    # Stated strongly ("proficient in"), or more than once: ticked. Named once in passing: not.
    assert boxes["insurance_verification"] is True
    assert boxes["appointment_scheduling"] is True
    assert boxes["copay_collection"] is False and boxes["hipaa_compliance"] is False
    # Each says why it was suggested: the phrase found in the resume.
    assert "found in your resume: “Proficient in insurance verification”" in html
    assert "found in your resume: “co-pays”" in html
    # Confirming what came ticked adds it at the level the resume supports.
    ticked = [code for code, on in boxes.items() if on]
    assert client.post("/me/resume/suggestions", data={"skills": ticked}).status_code == 302
    levels = {cs.skill.code: cs.level for cs in _reload(signed_in).skills}
    assert levels["insurance_verification"] == 3 and "copay_collection" not in levels

"""Uploads are judged by their content: type, size, zip bombs, and where they are stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from agency.extensions import db
from agency.services import uploads
from tests.candidates.files import (
    docx_zip_bomb,
    make_docx,
    make_pdf,
    make_zip,
    pdf_that_is_a_zip,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def test_real_pdf_and_docx_are_accepted_as_resumes() -> None:
    assert uploads.check(make_pdf(), "cv.pdf", uploads.RESUME_KINDS).kind == "pdf"
    assert uploads.check(make_docx(), "cv.docx", uploads.RESUME_KINDS).kind == "docx"


def test_the_name_does_not_decide_the_type() -> None:
    # A real PDF named .docx is still a PDF; a text file named .pdf is refused.
    assert uploads.check(make_pdf(), "cv.docx", uploads.RESUME_KINDS).kind == "pdf"
    with pytest.raises(uploads.UploadError, match="PDF or Word"):
        uploads.check(b"just some text", "cv.pdf", uploads.RESUME_KINDS)


def test_pdf_that_is_really_a_zip_is_refused() -> None:
    with pytest.raises(uploads.UploadError, match="not really a PDF"):
        uploads.check(pdf_that_is_a_zip(), "cv.pdf", uploads.RESUME_KINDS)
    # And a plain ZIP renamed to .pdf.
    with pytest.raises(uploads.UploadError, match=r"ZIP archive, not a PDF or Word \(.docx\)"):
        uploads.check(make_zip({"a.txt": b"x"}), "cv.pdf", uploads.RESUME_KINDS)


def test_a_zip_named_pdf_is_never_called_a_damaged_word_file() -> None:
    cut_short = make_zip({"a.txt": b"x" * 5000})[:40]  # no central directory
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check(cut_short, "scan.pdf", uploads.RESUME_KINDS)
    assert "Word file" not in str(refused.value) and "ZIP archive" in str(refused.value)
    # Named .docx it was meant as a Word document, and is one that is damaged.
    with pytest.raises(uploads.UploadError, match="This Word file is damaged"):
        uploads.check(cut_short, "cv.docx", uploads.RESUME_KINDS)


def test_zip_without_word_document_is_not_a_docx() -> None:
    fake = make_zip({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"})
    with pytest.raises(uploads.UploadError, match="not a Word"):
        uploads.check(fake, "cv.docx", uploads.RESUME_KINDS)


def test_docx_zip_bomb_is_refused() -> None:
    bomb = docx_zip_bomb(64)
    assert len(bomb) < uploads.MAX_BYTES  # small on the wire...
    with pytest.raises(uploads.UploadError, match="expands"):  # ...but not once unpacked
        uploads.check(bomb, "cv.docx", uploads.RESUME_KINDS)


def test_oversized_and_empty_files_are_refused() -> None:
    big = make_pdf() + b"\0" * uploads.MAX_BYTES
    with pytest.raises(uploads.UploadError, match="larger than 5 MB"):
        uploads.check(big, "cv.pdf", uploads.RESUME_KINDS)
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.check(b"", "cv.pdf", uploads.RESUME_KINDS)


def test_documents_accept_images_but_not_docx() -> None:
    assert uploads.check(PNG, "c.png", uploads.DOCUMENT_KINDS).kind == "png"
    assert uploads.check(JPEG, "c.jpg", uploads.DOCUMENT_KINDS).kind == "jpeg"
    with pytest.raises(uploads.UploadError, match="PDF, PNG or JPEG"):
        uploads.check(make_docx(), "c.docx", uploads.DOCUMENT_KINDS)
    with pytest.raises(uploads.UploadError):
        uploads.check(PNG, "c.png", uploads.RESUME_KINDS)


def test_uploaded_name_is_reduced_to_a_basename() -> None:
    checked = uploads.check(make_pdf(), "C:\\Users\\me\\..\\cv final.pdf", uploads.RESUME_KINDS)
    assert checked.filename == "cv final.pdf"


def test_stored_outside_web_root_under_random_name(app: Flask) -> None:
    checked = uploads.check(make_pdf(), "cv.pdf", uploads.RESUME_KINDS)
    name = uploads.store(checked, "resumes")
    db.session.commit()
    path = uploads.path_of(name)
    assert path is not None and path.read_bytes() == checked.data
    assert "cv" not in path.name and path.suffix == ".pdf"
    static = Path(app.static_folder or "").resolve()
    assert static not in path.parents
    assert Path(app.config["UPLOAD_DIR"]).resolve() in path.parents
    # Names that climb out of the upload folder resolve to nothing.
    assert uploads.path_of("../../etc/passwd") is None


def test_rolled_back_upload_leaves_no_file(app: Flask) -> None:
    db.session.execute(db.text("SELECT 1"))  # a request always has its transaction open
    name = uploads.store(uploads.check(make_pdf(), "cv.pdf", uploads.RESUME_KINDS), "resumes")
    assert uploads.path_of(name) is not None
    db.session.rollback()
    assert uploads.path_of(name) is None


def test_discarded_file_is_deleted_only_on_commit(app: Flask) -> None:
    name = uploads.store(uploads.check(make_pdf(), "cv.pdf", uploads.RESUME_KINDS), "resumes")
    db.session.commit()
    db.session.execute(db.text("SELECT 1"))
    uploads.discard(name)
    db.session.rollback()
    assert uploads.path_of(name) is not None
    uploads.discard(name)
    db.session.commit()
    assert uploads.path_of(name) is None

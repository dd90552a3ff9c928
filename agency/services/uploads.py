"""Uploaded files: checked by their content (never the name or the browser's type), stored outside
the web root under a random name, and deleted with the record that points at them."""

from __future__ import annotations

import io
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from agency.extensions import db

MAX_BYTES = 5 * 1024 * 1024
# A DOCX whose parts would expand past this is refused (a zip bomb), as is one with many parts.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000

PDF, DOCX, PNG, JPEG = "pdf", "docx", "png", "jpeg"
RESUME_KINDS = frozenset({PDF, DOCX})
DOCUMENT_KINDS = frozenset({PDF, PNG, JPEG})
KIND_NAMES = {PDF: "PDF", DOCX: "Word (.docx)", PNG: "PNG", JPEG: "JPEG"}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", PNG: ".png", JPEG: ".jpg"}
MIME_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PNG: "image/png",
    JPEG: "image/jpeg",
}


class UploadError(ValueError):
    """Why a file was refused, in words the uploader can act on."""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: str
    filename: str


def _docx_problem(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return "This Word file is damaged."
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            return "This is a ZIP file, not a Word (.docx) document."
        if len(members) > MAX_ZIP_MEMBERS:
            return "This Word file has too many parts."
        # The sizes in the directory can lie, so the real expanded size is counted while reading.
        budget = MAX_UNZIPPED_BYTES
        for member in members:
            if member.file_size > budget:
                return "This Word file expands to more than we accept."
            try:
                with archive.open(member) as fh:
                    while chunk := fh.read(64 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            return "This Word file expands to more than we accept."
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                return "This Word file is damaged."
    return None


def sniff(data: bytes) -> str | None:
    """The kind of file these bytes really are (pdf, docx, png, jpeg), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return DOCX if _docx_problem(data) is None else "zip"
    return None


# Control (NUL, line breaks), format (bidi overrides such as U+202E, zero-width marks), surrogate,
# private-use and line/paragraph separator characters: none belongs in a name people read.
_UNSHOWABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def clean_filename(filename: str | None) -> str:
    """The uploaded name fit to show on a page and to send in Content-Disposition: its last path
    part, NFC, without unshowable characters (a right-to-left override would make "cv\u202efdp.exe"
    read as "cvexe.pdf"; a NUL breaks the download), at most 200 characters; "" if nothing is left.
    """
    name = os.path.basename(unicodedata.normalize("NFC", filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _UNSHOWABLE)
    return " ".join(name.split())[:200].strip()


def check(data: bytes, filename: str, allowed: frozenset[str]) -> CheckedFile:
    """Accept the file when its content is one of the allowed kinds; raise UploadError otherwise."""
    names = [KIND_NAMES[k] for k in KIND_NAMES if k in allowed]
    wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if data.startswith(b"PK\x03\x04") and DOCX in allowed:
        problem = _docx_problem(data)
        if problem and not (filename or "").lower().endswith(".docx"):
            # Only a file named .docx was meant as a Word document: anything else is a ZIP.
            problem = f"This is a ZIP archive, not a {wanted} file."
        if problem:
            raise UploadError(problem)
        kind: str | None = DOCX
    else:
        kind = sniff(data)
    if kind not in allowed:
        raise UploadError(f"Please upload a {wanted} file.")
    # A PDF must also end like one: a ZIP with a "%PDF-" prefix glued on is refused.
    if kind == PDF and (b"%%EOF" not in data[-2048:] or b"PK\x05\x06" in data[-4096:]):
        raise UploadError("This PDF is damaged or is not really a PDF.")
    return CheckedFile(
        data=data, kind=kind, filename=clean_filename(filename) or f"file{EXTENSIONS[kind]}"
    )


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


_NEW_KEY, _DISCARD_KEY = "uploads_new", "uploads_discard"


def _after_commit(session: Session) -> None:
    session.info.pop(_NEW_KEY, None)
    for name in session.info.pop(_DISCARD_KEY, []):
        _unlink(name)


def _after_rollback(session: Session, _previous: object) -> None:
    # A file written for a change that did not commit would be an orphan: remove it.
    session.info.pop(_DISCARD_KEY, None)
    for name in session.info.pop(_NEW_KEY, []):
        _unlink(name)


def _session_info() -> dict[str, list[str]]:
    session_cls = db.session.session_factory.class_
    if not event.contains(session_cls, "after_commit", _after_commit):
        event.listen(session_cls, "after_commit", _after_commit)
        event.listen(session_cls, "after_soft_rollback", _after_rollback)
    return db.session.info


def store(checked: CheckedFile, folder: str) -> str:
    """Write the file under a random name; returns the stored name (relative to UPLOAD_DIR).

    If the caller's transaction rolls back instead of committing, the file is removed again.
    """
    target = upload_dir() / folder
    target.mkdir(parents=True, exist_ok=True)
    name = f"{folder}/{secrets.token_hex(16)}{EXTENSIONS[checked.kind]}"
    path = upload_dir() / name
    with path.open("xb") as fh:
        fh.write(checked.data)
    path.chmod(0o600)
    _session_info().setdefault(_NEW_KEY, []).append(name)
    return name


def path_of(stored_name: str) -> Path | None:
    """The file's path, only if the name stays inside UPLOAD_DIR and the file exists."""
    root = upload_dir().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def mime_type(stored_name: str) -> str:
    ext = Path(stored_name).suffix.lower()
    for kind, known in EXTENSIONS.items():
        if known == ext:
            return MIME_TYPES[kind]
    return "application/octet-stream"


def discard(stored_name: str | None) -> None:
    """Remove a stored file once the caller's transaction commits (kept if it rolls back)."""
    if stored_name:
        _session_info().setdefault(_DISCARD_KEY, []).append(stored_name)


def _unlink(stored_name: str) -> None:
    path = path_of(stored_name)
    if path is not None:
        path.unlink(missing_ok=True)

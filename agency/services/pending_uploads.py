"""An upload kept for the retry after a form error, so the user need not choose the file again.

The checked file is written under UPLOAD_DIR/pending/<user id>/ with a random name; the form
carries a signed token naming it and its owner. Reading it back checks the signature, its age,
the owner and the content again (the same rules as a fresh upload). It is removed once used,
when replaced, and once older than a day by any later keep and by the daily retention job
(`sweep`): a form left with a kept file never comes back for it.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from agency.services import uploads

FOLDER = "pending"
MAX_AGE = 24 * 3600
_SALT = "pending-upload"
_NAME = re.compile(r"^pending/(\d+)/[0-9a-f]{32}\.(pdf|png|jpg|docx)$")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def keep(checked: uploads.CheckedFile, user_id: int) -> str:
    """Write the checked file for this user; returns the signed token for the form."""
    sweep()
    folder = uploads.upload_dir() / FOLDER / str(int(user_id))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{FOLDER}/{int(user_id)}/{secrets.token_hex(16)}{uploads.EXTENSIONS[checked.kind]}"
    path = uploads.upload_dir() / name
    with path.open("xb") as fh:
        fh.write(checked.data)
    path.chmod(0o600)
    return _serializer().dumps({"u": int(user_id), "f": name, "n": checked.filename})


def _parse(token: str | None, user_id: int) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != int(user_id):
        return None
    match = _NAME.match(str(data.get("f", "")))
    if match is None or int(match.group(1)) != int(user_id):
        return None
    return data


def load(token: str | None, user_id: int, allowed: frozenset[str]) -> uploads.CheckedFile | None:
    """The kept file, checked again, if the token is this user's, recent and the file is there."""
    data = _parse(token, user_id)
    path = uploads.path_of(data["f"]) if data else None
    if data is None or path is None:
        return None
    try:
        return uploads.check(path.read_bytes(), str(data.get("n", "")), allowed)
    except uploads.UploadError:
        path.unlink(missing_ok=True)
        return None


def drop(token: str | None, user_id: int) -> None:
    """Remove the kept file (used or replaced)."""
    data = _parse(token, user_id)
    path = uploads.path_of(data["f"]) if data else None
    if path is not None:
        path.unlink(missing_ok=True)


def sweep() -> int:
    """Remove kept files nobody came back for within a day; how many."""
    root = uploads.upload_dir() / FOLDER
    if not root.is_dir():
        return 0
    cutoff = time.time() - MAX_AGE
    removed = 0
    for path in root.glob("*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

"""Retention clean-up (services.retention): a just-expired link and recent mail files are kept;
tokens and sent messages past their horizon are covered in tests/workers/test_jobs.py."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from agency.extensions import db
from agency.models import AuthToken, TokenPurpose, utcnow
from agency.services import retention


def test_a_link_that_expired_within_the_grace_day_is_kept(app, make_user) -> None:
    user = make_user()
    for n, hours in enumerate((2, 20, 30)):
        db.session.add(
            AuthToken(
                user_id=user.id,
                purpose=TokenPurpose.PASSWORD_RESET,
                token_hash=str(n) * 64,
                expires_at=utcnow() - timedelta(hours=hours),
            )
        )
    db.session.commit()
    assert retention.purge().tokens == 1  # only the one expired more than a day ago
    assert db.session.execute(db.select(db.func.count(AuthToken.id))).scalar_one() == 2


def test_mail_files_older_than_the_horizon_go_and_other_files_stay(app) -> None:
    folder = Path(app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old = time.time() - (retention.MAIL_FILE_DAYS + 1) * 86400
    recent = time.time() - (retention.MAIL_FILE_DAYS - 1) * 86400
    for name, mtime in (("old.eml", old), ("recent.eml", recent), ("notes.txt", old)):
        (folder / name).write_text("x")
        os.utime(folder / name, (mtime, mtime))
    assert retention.purge().mail_files == 1
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "recent.eml"]
    assert retention.purge().mail_files == 0  # idempotent


def test_no_mail_folder_is_nothing_to_purge(app) -> None:
    app.config["MAIL_DIR"] = str(Path(app.config["MAIL_DIR"]) / "never-made")
    assert retention.purge().mail_files == 0

"""Build and send one e-mail: over SMTP when MAIL_SERVER is set, else written to instance/mail/."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, render_template

SMTP_TIMEOUT = 10
_URL = re.compile(r"https?://[^\s<>\"']+")
# The links whose last part is a token (accounts.request_password_reset, unsubscribe.url_for_user),
# and, for any later kind, what a token looks like: a reset token is 43 characters, a signed
# unsubscribe token longer; the ids and words in every other link are far shorter.
_SECRET_PATHS = ("/reset/", "/unsubscribe/")
_SECRET_PART = re.compile(r"^[A-Za-z0-9_.~=-]{24,}$")
REDACTED_LINK = "[link removed: it works only for the recipient, whose copy has it]"


def message_id(dedupe_key: str) -> str:
    # Stable per outbox row, so a receiver can drop a copy if a send is ever repeated.
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@clinicmatch.local>"


def build(template: str, to: str, context: dict[str, Any], dedupe_key: str) -> EmailMessage:
    """Render `templates/email/<template>.{subject.txt,txt,html}` into a two-part message."""
    msg = EmailMessage()
    msg["Subject"] = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(dedupe_key)
    msg["X-Outbox-Key"] = dedupe_key
    unsubscribe_url = context.get("unsubscribe_url")
    if unsubscribe_url:
        # RFC 8058 one-click: mail clients show their own unsubscribe button.
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(render_template(f"email/{template}.txt", **context))
    msg.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return msg


def is_permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message (not our login) will not change on a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def send(msg: EmailMessage) -> None:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        write_to_dir(msg, Path(cfg["MAIL_DIR"]))
        return
    host, port = cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"])
    if cfg.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    with smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)


def write_to_dir(msg: EmailMessage, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    # A UTC timestamp first, so the "sent mail" page can sort by file name.
    stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    tmp = directory / f".{stem}.tmp"
    tmp.write_bytes(bytes(msg))
    path = directory / f"{stem}.eml"
    # Rename is atomic: the "sent mail" page never shows half a message.
    tmp.rename(path)
    return path


def _carries_secret(url: str) -> bool:
    parts = urlsplit(url)
    if any(marker in parts.path for marker in _SECRET_PATHS):
        return True
    pieces = parts.path.split("/") + [value for _name, value in parse_qsl(parts.query)]
    return any(_SECRET_PART.match(piece) for piece in pieces)


def redact_links(text: str) -> str:
    """The text with every link that carries a secret token (a password reset, an unsubscribe,
    any later verification link) replaced: what the staff mail viewer shows."""
    return _URL.sub(lambda m: REDACTED_LINK if _carries_secret(m.group(0)) else m.group(0), text)

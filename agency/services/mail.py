"""Send one e-mail: over SMTP when MAIL_SERVER is set, else written to instance/mail/."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template


def build(template: str, to: str, context: dict[str, object], message_id: str) -> EmailMessage:
    msg = EmailMessage()
    subject = render_template(f"email/{template}.subject.txt", **context).strip()
    msg["Subject"] = subject
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    # A stable Message-ID lets receivers drop a duplicate if a send is ever retried.
    msg["Message-ID"] = make_msgid(idstring=message_id, domain="clinicmatch.local")
    msg.set_content(render_template(f"email/{template}.txt", **context))
    msg.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return msg


def send(msg: EmailMessage) -> None:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        _write_to_dir(msg, Path(cfg["MAIL_DIR"]))
        return
    host, port = cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"])
    timeout = 10
    if cfg.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)


def _write_to_dir(msg: EmailMessage, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    stem = (
        f"{msg['Date']}-{uuid.uuid4().hex[:8]}".replace(" ", "_").replace(",", "").replace(":", "-")
    )
    tmp = directory / f".{stem}.tmp"
    tmp.write_bytes(bytes(msg))
    # Rename is atomic: the "sent mail" page never shows half a message.
    tmp.rename(directory / f"{stem}.eml")

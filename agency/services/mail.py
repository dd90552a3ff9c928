"""Build and send one e-mail: over SMTP when MAIL_SERVER is set, else written to instance/mail/.

Each process keeps one SMTP connection open and sends message after message on it (a new
connection costs a TCP and EHLO round trip, and TLS and a login when configured, per message).
When the server offers PIPELINING (RFC 2920) a message takes two round trips instead of
smtplib's four: MAIL, RCPT and DATA go out in one write, then the text. A caller with more
messages to come (a worker's batch) passes `done` and gets one round trip a message: the text
of each then goes out in the same write as the next one's MAIL, RCPT and DATA.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import logging
import os
import re
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.utils import formataddr, formatdate, getaddresses, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import current_app

from agency.services import link_secrets

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10
_URL = re.compile(r"https?://[^\s<>\"']+")
# The links whose last part is a token (accounts.request_password_reset,
# notifications.unsubscribe_url), and, for any later kind, what a token looks like: a reset
# token is 43 characters, a signed unsubscribe token longer; the ids and words in every other
# link are far shorter.
_SECRET_PATHS = ("/reset/", "/claim/", "/unsubscribe/")
_SECRET_PART = re.compile(r"^[A-Za-z0-9_.~=-]{24,}$")
REDACTED_LINK = "[link removed: it works only for the recipient, whose copy has it]"
# A connection is closed after this many messages (servers cap them too, e.g. Postfix's
# smtpd_client_message_rate_limit) and when it sat idle this long (servers time idle ones out).
MAX_PER_CONNECTION = 100
IDLE_SECONDS = 30.0


def message_id(dedupe_key: str) -> str:
    # Stable per outbox row, so a receiver can drop a copy if a send is ever repeated.
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@clinicmatch.local>"


# Quoted-printable bodies: readable as they are (links included), unlike base64.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def _header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("a header value may not contain a line break")
    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    if value.isascii():
        return _header(value)
    name, address = parseaddr(value)
    if not address.isascii():
        return _header(value)
    return formataddr((name, address), charset="utf-8")


@dataclass(frozen=True)
class Outgoing:
    """A composed message: its text as it goes on the wire (CRLF lines, the bytes smtplib's
    send_message would write for the same MIME message) and its envelope. `sender` is None
    when an address is not ASCII: such a message is handed to send_message (SMTPUTF8)."""

    data: bytes
    sender: str | None
    recipients: tuple[str, ...]

    def as_bytes(self) -> bytes:
        """LF lines, as Message.as_bytes() writes them (the mail directory's files)."""
        return self.data.replace(b"\r\n", b"\n")


@dataclass(frozen=True)
class _Sender:
    header: bytes  # the folded From line
    address: str  # MAIL FROM


_senders: dict[str, _Sender] = {}


def _sender(configured: str) -> _Sender:
    """MAIL_DEFAULT_SENDER's From line and envelope address, worked out once per process."""
    known = _senders.get(configured)
    if known is None:
        value = _address(configured)
        address = getaddresses([value])[0][1]
        known = _senders[configured] = _Sender(_fold("From", value), address)
    return known


def _fold(name: str, value: str) -> bytes:
    # The header line the generator writes for this value (compat32, CRLF).
    return _WIRE_CRLF.fold_binary(name, value)


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML, from the app's Jinja environment directly: mail templates use
    no request, session or context processor, whose set-up render_template pays each time."""
    env = current_app.jinja_env
    subject, text, html = (
        env.get_template(f"email/{template}.{ext}").render(context)
        for ext in ("subject.txt", "txt", "html")
    )
    return " ".join(subject.split()), text, html


def _qp_part(text: str, subtype: str) -> bytes:
    """The part MIMEText(text, subtype, utf-8 quoted-printable) is flattened to, built directly:
    the MIME classes re-encode the text and rebuild their headers on every part."""
    body = _UTF8_QP.body_encode(text)  # only "\n" line breaks, ASCII
    return _QP_HEAD[subtype] + body.replace("\n", "\r\n").encode("ascii")


_QP_HEAD = {
    subtype: (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii")
    for subtype in ("plain", "html")
}


def _multipart(subtype: str, parts: list[bytes], headers: bytes = b"") -> bytes:
    """A multipart entity as the generator writes MIMEMultipart: its Content-Type and
    MIME-Version, then `headers`, a blank line and the parts between boundaries. The boundary
    is our own: the generator's search for a free one compiles a new regex per message. "=_"
    never occurs in quoted-printable text, and 96 random bits keep it out of the rest; at this
    length the Content-Type line needs no folding."""
    boundary = f"=_{uuid.uuid4().hex[:24]}"
    head = _fold("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')
    delimiter = f"--{boundary}\r\n".encode("ascii")
    return b"".join(
        [
            head,
            b"MIME-Version: 1.0\r\n",
            headers,
            b"\r\n",
            delimiter,
            b"\r\n".join(parts[:1] + [delimiter + part for part in parts[1:]]),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )


def compose(
    template: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[dict[str, str]] | None = None,
) -> Outgoing:
    """Render `templates/email/<template>.{subject.txt,txt,html}` into a two-part message, ready
    to send: the bytes the MIME classes (MIMEMultipart of two quoted-printable MIMEText parts)
    flatten to, written directly; building and flattening those objects was most of a worker's
    time per message.

    `attachments` (the outbox payload's, see outbox.email) are text files; see _text_part.
    """
    context = link_secrets.open_context(context)
    subject, text, html = _render(template, context)
    sender = _sender(current_app.config["MAIL_DEFAULT_SENDER"])
    recipient = _address(to)
    lines = [
        _fold("Subject", _header(subject)),
        sender.header,
        _fold("To", recipient),
        _fold("Date", formatdate(localtime=False)),
        _fold("Message-ID", message_id(dedupe_key)),
        _fold("X-Outbox-Key", _header(dedupe_key)),
    ]
    unsubscribe_url = context.get("unsubscribe_url")
    if unsubscribe_url:
        # RFC 8058 one-click: mail clients show their own unsubscribe button.
        lines.append(_fold("List-Unsubscribe", _header(f"<{unsubscribe_url}>")))
        lines.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    parts = [_qp_part(text, "plain"), _qp_part(html, "html")]
    # A calendar invitation also goes inside the alternative with its METHOD, which is where
    # Outlook and Gmail look for it to show their accept / decline buttons.
    parts += [
        wire_bytes(_text_part(item)) for item in attachments or [] if item.get("inline_method")
    ]
    if attachments:
        body = _multipart("alternative", parts)
        data = _multipart("mixed", [body, *_attachment_parts(attachments)], b"".join(lines))
    else:
        data = _multipart("alternative", parts, b"".join(lines))
    recipients = tuple(address for _, address in getaddresses([recipient]))
    if not "".join([sender.address, *recipients]).isascii():
        return Outgoing(data, None, recipients)
    return Outgoing(data, sender.address, recipients)


def _text_part(item: dict[str, str]) -> MIMEText:
    """One text attachment's part (a calendar's with its iTIP METHOD)."""
    maintype, _, subtype = item["content_type"].partition("/")
    if maintype != "text" or not subtype:
        raise ValueError(f"unsupported attachment type {item['content_type']!r}")
    part = MIMEText(item["content"], subtype, "utf-8")
    if item.get("inline_method"):
        part.set_param("method", item["inline_method"])
    return part


def _attachment_parts(attachments: list[dict[str, str]]) -> list[bytes]:
    """One flattened part per attachment ({"filename", "content_type" ("text/calendar"),
    "content", optional "inline_method"}), for the multipart/mixed around the body."""
    parts = []
    for item in attachments:
        part = _text_part(item)
        filename = item["filename"]
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,80}", filename):
            raise ValueError(f"unsafe attachment name {filename!r}")
        part.add_header("Content-Disposition", "attachment", filename=filename)
        parts.append(wire_bytes(part))
    return parts


def build(
    template: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[dict[str, str]] | None = None,
) -> EmailMessage:
    """The composed message as an EmailMessage (get_body, get_content), for previews and tests."""
    raw = compose(template, to, context, dedupe_key, attachments).as_bytes()
    return BytesParser(policy=policy.default).parsebytes(raw)


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


# A header value the compat32 policy would write unchanged when it fits on one line.
_PLAIN_HEADER = re.compile(r"[\t\x20-\x7e]*")


class _WireFolding(policy.Compat32):
    """compat32, the policy smtplib flattens our messages with, with its folding skipped where it
    changes nothing: a printable ASCII header that fits on its line is written as it is (the
    Header class's split and rejoin was a fifth of a worker's time). Anything else is folded as
    compat32 folds it, so the bytes are the same."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        fits = isinstance(value, str) and len(name) + 2 + len(value) <= (self.max_line_length or 0)
        if fits and _PLAIN_HEADER.fullmatch(value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_WIRE = _WireFolding()
_WIRE_CRLF = _WIRE.clone(linesep="\r\n")


def wire_bytes(msg: Message) -> bytes:
    """A MIME object as smtplib's send_message puts it on the wire (CRLF lines), cheaper."""
    with io.BytesIO() as out:
        BytesGenerator(out, mangle_from_=False, policy=_WIRE).flatten(msg, linesep="\r\n")
        return out.getvalue()


# The outcome of a send whose text went out after `send` returned: None when the server
# accepted it, else the error `send` would have raised for it.
Done = Callable[[BaseException | None], None]
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _stuffed(text: bytes) -> bytes:
    """The message text as it goes after DATA: leading dots doubled, ended by a lone dot."""
    quoted = _LEADING_DOT.sub(b"..", text)
    return quoted + (b"" if quoted.endswith(b"\r\n") else b"\r\n") + b".\r\n"


@dataclass(frozen=True)
class _Open:
    """A message whose envelope the server took (DATA answered 354) and whose text is still
    ours to write: with the next message's envelope, or on settle()."""

    text: bytes  # stuffed
    done: Done


def _checked(out: Outgoing) -> None:
    # Before the connection is touched: a refused message must not disturb an open one.
    if any("\r" in a or "\n" in a for a in [out.sender or "", *out.recipients]):
        raise ValueError("an address may not contain a line break")


def _envelope(smtp: _SMTP | _SMTPSSL, sender: str, out: Outgoing) -> bytes:
    size = f" size={len(out.data)}" if smtp.has_extn("size") else ""
    commands = [f"mail from:{smtplib.quoteaddr(sender)}{size}"]
    commands += [f"rcpt to:{smtplib.quoteaddr(to)}" for to in out.recipients]
    return "".join(f"{line}\r\n" for line in [*commands, "data"]).encode("ascii")


def _transmit(conn: _Connection, out: Outgoing, done: Done | None) -> bool:
    """send_message, with the same errors raised and the same connection rules, but pipelined
    (RFC 2920) when the server offers it: MAIL, RCPT and DATA in one write, their three replies,
    then the text and its reply. No reply before the text can mean the message was accepted.

    With `done` the text is not written here: the connection keeps it open for the next
    message's write (or settle()), and False is returned. A message left open before this one
    goes out in this write and is concluded (its `done` called) as its reply comes in, before
    this message's envelope replies are read. True: the message was accepted."""
    smtp = conn.smtp
    smtp.ehlo_or_helo_if_needed()
    if out.sender is None or not (smtp.does_esmtp and smtp.has_extn("pipelining")):
        _settle(conn)  # unreachable without pipelining; a non-ASCII message waits its turn
        if out.sender is None:  # non-ASCII addresses: send_message's SMTPUTF8 handling
            smtp.send_message(BytesParser(policy=policy.compat32).parsebytes(out.data))
        else:
            smtp.sendmail(out.sender, list(out.recipients), out.data)
        return True
    sender, recipients = out.sender, list(out.recipients)
    envelope = _envelope(smtp, sender, out)
    before, conn.open = conn.open, None
    # RFC 2920 lets the previous message's text (its end of data) lead the group, as its
    # section 3.1 example does; the server answers it first.
    concluded = before is None
    try:
        smtp.send(before.text + envelope if before is not None else envelope)
        if before is not None:
            code, reply = smtp.getreply()
            concluded = True
            _conclude(conn, before, code, reply)
    except BaseException as exc:
        if not concluded and before is not None:
            before.done(exc)  # its text may have reached the server: an ordinary retry
        raise
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code, 1 + len(recipients))
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for to in recipients:
        code, reply = smtp.getreply()
        if code not in (250, 251):
            refused[to] = (code, reply)
            if code == 421:
                smtp.close()
                raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.getreply()
    if len(refused) == len(recipients):
        _abandon(smtp, 421 if code == 354 else code, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    if done is not None:
        conn.open = _Open(_stuffed(out.data), done)
        return False
    smtp.began_data = True
    smtp.send(_stuffed(out.data))
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code, 0)
        raise smtplib.SMTPDataError(code, reply)
    return True


def _conclude(conn: _Connection, message: _Open, code: int, reply: bytes) -> None:
    """The server's answer to an open message's text: count it and tell its sender. A refusal
    needs no RSET: the end of data returns the server to its initial state either way, and a
    421 (closing) shows as a disconnect on the next read."""
    if code == 250:
        conn.sent += 1
        conn.last_used = time.monotonic()
        message.done(None)
    else:
        message.done(smtplib.SMTPDataError(code, reply))


def _settle(conn: _Connection) -> None:
    """Write the open message's text, if any, and conclude it."""
    message, conn.open = conn.open, None
    if message is None:
        return
    try:
        conn.smtp.send(message.text)
        code, reply = conn.smtp.getreply()
    except BaseException as exc:
        message.done(exc)
        raise
    _conclude(conn, message, code, reply)


def settle() -> None:
    """Send the text of this process's open message (see `send`), if any, and report its
    outcome; then the connection is at rest (and closed at its cap or after a refusal)."""
    conn = _open
    if conn is None or conn.open is None:
        return
    if conn.pid != os.getpid():  # another process's connection: not ours to write on
        close_connection()
        return
    sent = conn.sent
    try:
        _settle(conn)
    except OSError:
        close_connection(polite=False)
        return
    cap = _cap(current_app.config)
    if conn.sent == sent or conn.sent >= cap:  # refused: the next message starts afresh
        close_connection()


def _abandon(smtp: _SMTP | _SMTPSSL, code: int, unread: int) -> None:
    """After a refusal: read the replies still in flight, then RSET, as smtplib does; close
    instead after a 421 (the server is closing) or when DATA was accepted with no recipient
    left (only the end of the text would stop it: close, and nothing is accepted)."""
    if code == 421:
        smtp.close()
        return
    for _ in range(unread):
        if smtp.getreply()[0] == 354:
            code = 421
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


class _DataTracking:
    """Remembers whether the message text was started: only before that is a resend safe."""

    began_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.began_data = True
        return super().data(msg)  # type: ignore[misc]


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTPSSL(_DataTracking, smtplib.SMTP_SSL):
    pass


class _Connection:
    def __init__(self, key: tuple[Any, ...], smtp: _SMTP | _SMTPSSL) -> None:
        self.key, self.smtp, self.pid = key, smtp, os.getpid()
        self.sent, self.last_used = 0, time.monotonic()
        self.open: _Open | None = None  # see _transmit


_open: _Connection | None = None


def _settings(cfg: Any) -> tuple[Any, ...]:
    return (
        cfg["MAIL_SERVER"],
        int(cfg["MAIL_PORT"]),
        bool(cfg.get("MAIL_USE_SSL")),
        bool(cfg.get("MAIL_USE_TLS")),
        cfg.get("MAIL_USERNAME"),
        cfg.get("MAIL_PASSWORD"),
    )


def _connect(key: tuple[Any, ...]) -> _Connection:
    host, port, use_ssl, use_tls, username, password = key
    smtp: _SMTP | _SMTPSSL
    if use_ssl:
        smtp = _SMTPSSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
    else:
        smtp = _SMTP(host, port, timeout=SMTP_TIMEOUT)
    try:
        if use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if username:
            smtp.login(username, password or "")
    except BaseException:
        smtp.close()
        raise
    return _Connection(key, smtp)


def close_connection(*, polite: bool = True) -> None:
    """Close this process's SMTP connection, if any (QUIT first unless it is known broken)."""
    global _open
    conn, _open = _open, None
    if conn is None:
        return
    if conn.pid != os.getpid():
        # Inherited across a fork: the socket is the parent's; let go without a word on it.
        if conn.smtp.sock is not None:
            conn.smtp.sock.detach()
        conn.smtp.sock = conn.smtp.file = None
        return
    if conn.open is not None:
        # Closed before its text went out (an error elsewhere, the process exiting): the server
        # took nothing. A QUIT now would be read as the message's text.
        message, conn.open = conn.open, None
        polite = False
        try:
            message.done(smtplib.SMTPServerDisconnected("closed before the text was sent"))
        except Exception:
            log.exception("could not report a message left unsent on a closed connection")
    if polite:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            conn.smtp.quit()
    conn.smtp.close()


atexit.register(close_connection)


def _cap(cfg: Any) -> int:
    """Messages a connection carries before it is closed and a fresh one opened."""
    return int(cfg.get("MAIL_MAX_PER_CONNECTION", MAX_PER_CONNECTION))


def _connection(cfg: Any) -> _Connection:
    """The process's open connection for these settings, or a new one."""
    key = _settings(cfg)
    conn = _open
    cap = _cap(cfg)
    if conn is not None and conn.open is not None and conn.sent + 1 >= cap:
        settle()  # the open message is the connection's last: conclude it, then a new one
        conn = _open
    if conn is not None and (
        conn.key != key
        or conn.pid != os.getpid()
        or time.monotonic() - conn.last_used > float(cfg.get("MAIL_IDLE_SECONDS", IDLE_SECONDS))
    ):
        settle()
        close_connection()
        conn = None
    if conn is None:
        conn = _connect(key)
        globals()["_open"] = conn
    return conn


def send(msg: Outgoing, done: Done | None = None) -> None:
    """Send over the process's SMTP connection (opened, or reopened, as needed).

    A connection that was already used may have been closed by the server while idle; that
    shows as a disconnect before the message text was sent, and then one fresh connection is
    tried at once. A failure after the text began is raised: the server may have accepted the
    message, so only the outbox's retry (same Message-ID) may send it again.

    With `done`, for a caller with more to send: when the server offers PIPELINING this may
    return once the server took the envelope, leaving the text for the next send's write or for
    `settle()`, which the caller must call when it has sent its last. `done(None)` is called
    once the server accepted the text (at once when it was sent here), `done(error)` if it did
    not; an error before the text is raised here, as without `done`, and `done` is not called.
    """
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        write_to_dir(msg, Path(cfg["MAIL_DIR"]))
        if done is not None:
            done(None)
        return
    _checked(msg)
    while True:
        conn = _connection(cfg)
        conn.smtp.began_data = False
        used = conn.sent > 0 or conn.open is not None
        cap = _cap(cfg)
        last = conn.sent + (conn.open is not None) + 1 >= cap  # then its text goes out now
        try:
            accepted = _transmit(conn, msg, None if last else done)
        except smtplib.SMTPResponseException as exc:
            # 421: the server is closing this (idle) connection; the message was not taken.
            stale = exc.smtp_code == 421 and used and not conn.smtp.began_data
            close_connection(polite=not stale)  # start the next message on a clean connection
            if stale:
                continue
            raise
        except smtplib.SMTPRecipientsRefused:
            close_connection()
            raise
        except OSError:  # disconnected, reset, timed out (smtplib's errors are OSErrors too)
            stale = used and not conn.smtp.began_data
            close_connection(polite=False)
            if stale:
                continue  # never used after the drop: a fresh connection, this time for real
            raise
        except BaseException:
            close_connection(polite=False)
            raise
        if accepted:
            conn.sent += 1
            conn.last_used = time.monotonic()
            if conn.sent >= cap:
                close_connection()
            if done is not None:
                done(None)
        return


def write_to_dir(msg: Message | Outgoing, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    # A UTC timestamp first, so the "sent mail" page can sort by file name.
    stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    tmp = directory / f".{stem}.tmp"
    tmp.write_bytes(msg.as_bytes())
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

"""The e-mail a worker composes is the message the standard library's MIME classes make.

`mail.compose` writes the wire bytes directly (rendering from the Jinja environment, the sender
worked out once per process); the reference here builds the same message the way it used to be
built, with MIMEMultipart, MIMEText and render_template, and flattens it as smtplib's
send_message does. Both must be the same bytes, so a recipient sees the same message.
"""

from __future__ import annotations

import re
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.utils import formataddr, parseaddr
from typing import Any

import pytest
from flask import Flask, render_template

from agency.services import mail

UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP
WIRE = policy.compat32.clone(linesep="\r\n")

NON_ASCII = {
    "subject": "Grüße aus der Praxis \u2013 Ihr Termin am Montag",
    "body": (
        "Liebe Frau Müller,\r\n\r\nFrom here on the café's front desk is yours: "
        + "très bien, " * 12
        + "\n\n<b>Ünïcödé</b> & = signs =3D, a tab\tand trailing space \nEnde."
    ),
    "unsubscribe_url": "http://127.0.0.1:5000/unsubscribe/" + "t" * 90,
}
CALENDAR = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Interview\r\nEND:VCALENDAR\r\n"
ATTACHMENTS = [
    {
        "filename": "invite.ics",
        "content_type": "text/calendar",
        "content": CALENDAR,
        "inline_method": "REQUEST",
    },
    {"filename": "notes.txt", "content_type": "text/plain", "content": "Zimmer 3 \u00fcber"},
]


def _address(value: str) -> str:
    if value.isascii():
        return value
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8")


def _text_part(item: dict[str, str]) -> MIMEText:
    subtype = item["content_type"].partition("/")[2]
    part = MIMEText(item["content"], subtype, "utf-8")
    if item.get("inline_method"):
        part.set_param("method", item["inline_method"])
    return part


def stdlib_message(
    app: Flask,
    composed: bytes,
    template: str,
    to: str,
    context: dict[str, Any],
    key: str,
    attachments: list[dict[str, str]] | None = None,
) -> Message:
    """The message as the MIME classes build it, with the composed one's boundaries and Date
    (a random and a clock value)."""
    boundaries = re.findall(rb'boundary="([^"]+)"', composed)
    date = re.search(rb"^Date: ([^\r\n]*)\r$", composed, re.MULTILINE)
    assert date is not None
    subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
    body = MIMEMultipart("alternative", boundary=boundaries[-1].decode())
    msg = body
    if attachments:
        msg = MIMEMultipart("mixed", boundary=boundaries[0].decode())
        msg.attach(body)
        for item in attachments:
            part = _text_part(item)
            part.add_header("Content-Disposition", "attachment", filename=item["filename"])
            msg.attach(part)
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    msg["From"] = _address(app.config["MAIL_DEFAULT_SENDER"])
    msg["To"] = _address(to)
    msg["Date"] = date.group(1).decode()
    msg["Message-ID"] = mail.message_id(key)
    msg["X-Outbox-Key"] = key
    if context.get("unsubscribe_url"):
        msg["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for ext, subtype in (("txt", "plain"), ("html", "html")):
        text = render_template(f"email/{template}.{ext}", **context)
        body.attach(MIMEText(text, subtype, UTF8_QP))  # type: ignore[arg-type]
    for item in attachments or []:
        if item.get("inline_method"):
            body.attach(_text_part(item))
    return msg


@pytest.mark.parametrize(
    ("template", "to", "context", "attachments"),
    [
        ("password_reset", "pat@example.com", {"reset_url": "http://x/r/a", "minutes": 60}, None),
        ("staff_message", "José Núñez <jose@example.com>", NON_ASCII, None),
        ("staff_message", "jo@example.com", NON_ASCII, ATTACHMENTS),
    ],
    ids=["ascii", "non-ascii", "attachments"],
)
def test_the_composed_bytes_are_the_mime_classes_message(
    app: Flask, template: str, to: str, context: dict[str, Any], attachments: Any
) -> None:
    app.config["MAIL_DEFAULT_SENDER"] = "Clínica Match <no-reply@clinicmatch.local>"
    key = "k-" + "z" * 90  # long enough to be folded
    composed = mail.compose(template, to, context, key, attachments)
    reference = stdlib_message(app, composed.data, template, to, context, key, attachments)
    assert composed.data == reference.as_bytes(policy=WIRE)
    assert composed.as_bytes() == bytes(reference)  # the mail directory's file
    assert composed.sender == "no-reply@clinicmatch.local"
    assert composed.recipients == (parseaddr(to)[1],)


def test_a_non_ascii_message_parses_to_the_same_headers_and_parts(app: Flask) -> None:
    to = "Zoë Ångström <zoe@example.com>"
    composed = mail.compose("staff_message", to, NON_ASCII, "k-1")
    reference = stdlib_message(app, composed.data, "staff_message", to, NON_ASCII, "k-1")
    parse = BytesParser(policy=policy.default).parsebytes
    got, want = parse(composed.data), parse(reference.as_bytes(policy=WIRE))
    for header in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe"):
        assert str(got[header]) == str(want[header])
    # (compat32 folds an encoded subject onto its second line: it reads with a leading space)
    assert str(got["Subject"]).strip() == NON_ASCII["subject"]
    assert str(got["To"]) == to
    for kind in ("plain", "html"):
        got_part, want_part = got.get_body((kind,)), want.get_body((kind,))
        assert got_part is not None and want_part is not None
        assert got_part.get_content() == want_part.get_content()
    text = got.get_body(("plain",))
    assert text is not None and "Ünïcödé" in text.get_content()
    assert "\r\nFrom here on the café" in text.get_content()  # not ">From"


def test_the_sender_is_worked_out_once_per_configured_value(app: Flask) -> None:
    app.config["MAIL_DEFAULT_SENDER"] = "Ops Desk <ops@clinicmatch.local>"
    first = mail.compose("password_reset", "a@example.com", {"reset_url": "u", "minutes": 5}, "a")
    assert first.sender == "ops@clinicmatch.local"
    assert b"\r\nFrom: Ops Desk <ops@clinicmatch.local>\r\n" in first.data
    app.config["MAIL_DEFAULT_SENDER"] = "Other <other@clinicmatch.local>"
    second = mail.compose("password_reset", "a@example.com", {"reset_url": "u", "minutes": 5}, "b")
    assert second.sender == "other@clinicmatch.local"
    assert b"\r\nFrom: Other <other@clinicmatch.local>\r\n" in second.data

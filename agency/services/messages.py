"""Staff e-mail to candidates: templates with {placeholders}, sending to one person or a whole
pool through the outbox, and every message in the person's communication log.

Placeholders are filled with `str.format_map` over a fixed whitelist: a template can name only
the fields below, never an attribute or an index ({first_name.__class__} is refused), so what
staff type cannot reach anything else. Nothing here commits.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateStatus,
    Communication,
    DeliveryStatus,
    MessageTemplate,
    Opening,
    TalentPool,
    User,
)
from agency.services import audit, notifications
from agency.services.errors import FieldError

# Placeholder -> what it stands for (shown beside the template form).
PLACEHOLDERS = {
    "first_name": "the candidate's first name",
    "last_name": "the candidate's last name",
    "full_name": "the candidate's full name",
    "opening_title": "the title of the opening chosen when sending",
    "clinic_name": "the clinic of that opening",
}
OPENING_PLACEHOLDERS = frozenset({"opening_title", "clinic_name"})
SUBJECT_MAX = 200
BODY_MAX = 10_000


class MessageError(FieldError):
    pass


def placeholders_in(text: str, field: str) -> set[str]:
    """The placeholder names a text uses; a MessageError on anything but a plain known name."""
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise MessageError(
            "Unbalanced braces: write placeholders as {first_name}, "
            "and a literal brace as {{ or }}.",
            field=field,
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise MessageError(
                f"Unknown placeholder {shown}. Use one of: "
                + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                + ".",
                field=field,
            )
        found.add(name)
    return found


def check_template(subject: str, body: str) -> set[str]:
    """The placeholders of a subject and body, or a MessageError naming the faulty field."""
    return placeholders_in(subject, "subject") | placeholders_in(body, "body")


def render(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


def values_for(candidate: Candidate, opening: Opening | None) -> dict[str, str]:
    values = {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "full_name": candidate.full_name,
        "opening_title": "",
        "clinic_name": "",
    }
    if opening is not None:
        values["opening_title"] = opening.title
        values["clinic_name"] = opening.clinic.name if opening.clinic else ""
    return values


# ---- templates ----------------------------------------------------------------------------


def all_templates() -> list[MessageTemplate]:
    return list(
        db.session.execute(select(MessageTemplate).order_by(MessageTemplate.name)).scalars()
    )


def template_choices() -> list[tuple[str, str]]:
    return [(str(t.id), t.name) for t in all_templates()]


def save_template(
    template: MessageTemplate | None, name: str, subject: str, body: str, actor: User, ip: str = ""
) -> MessageTemplate:
    check_template(subject, body)
    name = " ".join(name.split())
    clash = db.session.execute(
        select(MessageTemplate.id).where(MessageTemplate.name == name)
    ).scalar_one_or_none()
    if clash is not None and (template is None or clash != template.id):
        raise MessageError("A template with this name exists already.", field="name")
    if template is None:
        template = MessageTemplate(name=name, subject=subject, body=body)
        db.session.add(template)
    template.name, template.subject, template.body = name, subject, body
    template.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        "message_template_saved",
        actor_id=actor.id,
        object_type="message_template",
        object_id=template.id,
        ip=ip,
    )
    return template


# ---- sending ------------------------------------------------------------------------------


@dataclass
class Outcome:
    queued: int = 0
    not_sent: int = 0


def _send_one(
    candidate: Candidate,
    subject: str,
    body: str,
    opening: Opening | None,
    actor: User,
    template_id: int | None,
    pool_id: int | None,
) -> Communication:
    values = values_for(candidate, opening)
    rendered_subject = " ".join(render(subject, values).split())[:SUBJECT_MAX]
    rendered_body = render(body, values)
    entry = Communication(
        candidate_id=candidate.id,
        sent_by_id=actor.id,
        template_id=template_id,
        pool_id=pool_id,
        subject=rendered_subject,
        body=rendered_body,
        status=DeliveryStatus.NOT_SENT,
    )
    db.session.add(entry)
    db.session.flush()
    # Staff's message is not essential mail: the person's "no e-mail" choice (or the
    # unsubscribe link in any earlier message) holds; the log says it was not sent.
    message = notifications.email_user(
        candidate.user,
        "staff_message",
        {"subject": rendered_subject, "body": rendered_body},
        f"staff-message:{entry.id}",
    )
    if message is not None:
        entry.status = DeliveryStatus.QUEUED
    return entry


def send(
    candidates: Iterable[Candidate],
    subject: str,
    body: str,
    actor: User,
    *,
    opening: Opening | None = None,
    template_id: int | None = None,
    pool: TalentPool | None = None,
    ip: str = "",
) -> Outcome:
    """Render and stage the message for each person (erased people are skipped), log each one
    and record it in the audit log. A MessageError for a faulty template, before anything."""
    used = check_template(subject, body)
    if used & OPENING_PLACEHOLDERS and opening is None:
        raise MessageError(
            "This message names an opening: choose the opening it is about.", field="opening"
        )
    if len(body) > BODY_MAX:
        raise MessageError(f"Keep the message under {BODY_MAX} characters.", field="body")
    outcome = Outcome()
    sent_to = []
    for candidate in candidates:
        if candidate.status == CandidateStatus.ERASED:
            continue
        entry = _send_one(
            candidate, subject, body, opening, actor, template_id, pool.id if pool else None
        )
        sent_to.append(candidate.id)
        if entry.status == DeliveryStatus.QUEUED:
            outcome.queued += 1
        else:
            outcome.not_sent += 1
    if pool is not None:
        audit.record(
            "pool_messaged",
            actor_id=actor.id,
            object_type="pool",
            object_id=pool.id,
            ip=ip,
            details={"queued": outcome.queued, "not_sent": outcome.not_sent},
        )
    else:
        for cid in sent_to:
            audit.record(
                "candidate_messaged",
                actor_id=actor.id,
                object_type="candidate",
                object_id=cid,
                ip=ip,
            )
    return outcome


def log_of(candidate_id: int, limit: int = 100) -> list[Communication]:
    return list(
        db.session.execute(
            select(Communication)
            .options(joinedload(Communication.sent_by))
            .where(Communication.candidate_id == candidate_id)
            .order_by(Communication.created_at.desc(), Communication.id.desc())
            .limit(limit)
        ).scalars()
    )


def export_rows(candidate_id: int) -> list[dict[str, Any]]:
    """The person's own copy of what the agency wrote to them (their data export)."""
    rows = db.session.execute(
        select(Communication)
        .where(Communication.candidate_id == candidate_id)
        .order_by(Communication.id)
    ).scalars()
    return [
        {
            "subject": c.subject,
            "body": c.body,
            "status": c.status,
            "created_at": c.created_at.isoformat(),
        }
        for c in rows
    ]

"""A small world of two candidates, two clinics, staff and admin, and the helpers the sweeps share.

Candidate B and clinic Y own every object named in `World.ids`; candidate A and clinic X are the
"somebody else" who must never reach them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import text

from agency.extensions import db
from agency.models import (
    AuthToken,
    DuplicateFlag,
    HumanReviewRequest,
    ImportJob,
    Interview,
    InterviewSlot,
    Invoice,
    InvoiceLine,
    MessageTemplate,
    OutboxMessage,
    Role,
    SavedSearch,
    Shift,
    ShiftBooking,
    ShiftOffer,
    TalentPool,
    TalentPoolMember,
    Timesheet,
    VerificationStatus,
    utcnow,
)
from agency.services import api_tokens, notifications, webhooks
from agency.services.engine import engine
from tests import factories

# Tables whose rows legitimately change when a request is refused (the audit trail of it).
VOLATILE_TABLES = {"audit_events", "alembic_version"}
RESET_TOKEN = "reset-token-for-the-security-sweep-0123456789"


@dataclass
class World:
    ids: dict[str, Any]
    users: dict[str, Any]
    secrets: dict[str, str]


def build_world() -> World:
    """Two of everything, so each owner has a stranger next to it. Saved and committed."""
    make_clinic, make_opening = factories.ClinicFactory(), factories.OpeningFactory()
    make_candidate, make_credential = factories.CandidateFactory(), factories.CredentialFactory()
    make_user, make_application = factories.UserFactory(), factories.ApplicationFactory()
    clinic_x, clinic_y = make_clinic(), make_clinic(name="Harbor Pediatrics Yonder")
    pending_clinic = make_clinic(approved=False, name="Pending Clinic Zed")
    opening_x = make_opening(clinic_x)
    opening_y = make_opening(clinic_y, title="Medical Secretary Yonder")
    cand_a = make_candidate(first_name="Alice", last_name="Applewood", phone="(617) 555-0101")
    cand_b = make_candidate(first_name="Bruno", last_name="Bramblethorn", phone="(617) 555-0199")
    make_credential(cand_a, "CPC")
    cred_b = make_credential(
        cand_b, "CPC", number="SECRET-B-4711", verification_status=VerificationStatus.PENDING
    )
    staff, admin = make_user(Role.STAFF), make_user(Role.ADMIN)
    other_staff = make_user(Role.STAFF)
    apps = {}
    for cand, opening, key in ((cand_a, opening_x, "a"), (cand_b, opening_y, "b")):
        apps[key] = make_application(
            cand, opening, stage="submitted", note=f"note of {cand.last_name}"
        )
    message = OutboxMessage(kind="email", payload={}, dedupe_key="sweep", status="dead")
    db.session.add(message)
    db.session.add(
        AuthToken(
            user_id=cand_b.user_id,
            purpose="password_reset",
            token_hash=hashlib.sha256(RESET_TOKEN.encode()).hexdigest(),
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    # An interview of candidate B at clinic Y (times proposed; the application stays as it is,
    # so the sweeps' stage moves still start from "submitted").
    interview = Interview(
        application_id=apps["b"].id,
        mode="in_person",
        uid="interview-sweep@clinicmatch",
        slots=[
            InterviewSlot(starts_at=utcnow() + timedelta(days=d), duration_minutes=30)
            for d in (2, 3)
        ],
    )
    db.session.add(interview)
    # Candidate B's API token and clinic Y's webhook: the objects of the token and webhook routes.
    api_token, api_raw = api_tokens.create(cand_b.user, "B's integration", "write")
    hook = webhooks.register(
        clinic_y.members[0], "https://ats.example.com/hook", [webhooks.STAGE_CHANGED]
    )
    # Candidate B's request for a human review: the object of the staff queue's move route.
    review = HumanReviewRequest(candidate_id=cand_b.id, message="please look at me in person")
    db.session.add(review)
    # Clinic Y's shift, with candidate B booked on it and offered another (issue 18).
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    shift_y, shift_y2 = (
        Shift(
            opening_id=opening_y.id,
            clinic_id=clinic_y.id,
            starts_at=starts + timedelta(days=days),
            ends_at=starts + timedelta(days=days, hours=8),
            headcount=2,
            booked_count=1 - days,
            notes="Shift notes of Yonder",
        )
        for days in (0, 1)
    )
    db.session.add_all([shift_y, shift_y2])
    db.session.flush()
    booking_b = ShiftBooking(shift_id=shift_y.id, candidate_id=cand_b.id)
    offer_b = ShiftOffer(shift_id=shift_y2.id, candidate_id=cand_b.id)
    db.session.add_all([booking_b, offer_b])
    # Candidate B's submitted timesheet for a past shift at clinic Y (issue 19).
    past = utcnow().replace(microsecond=0) - timedelta(days=2)
    shift_past = Shift(
        opening_id=opening_y.id,
        clinic_id=clinic_y.id,
        starts_at=past,
        ends_at=past + timedelta(hours=8),
        headcount=1,
        booked_count=1,
        status="filled",
    )
    db.session.add(shift_past)
    db.session.flush()
    booking_past = ShiftBooking(shift_id=shift_past.id, candidate_id=cand_b.id)
    db.session.add(booking_past)
    db.session.flush()
    sheet_b = Timesheet(
        booking_id=booking_past.id,
        shift_id=shift_past.id,
        clinic_id=clinic_y.id,
        candidate_id=cand_b.id,
        status="submitted",
        started_at=past,
        ended_at=past + timedelta(hours=8),
        pay_rate=Decimal("21.37"),
        bill_rate=Decimal("38.91"),
        submitted_at=past + timedelta(hours=9),
    )
    db.session.add(sheet_b)
    # A likely-duplicate pair for the staff merge pages.
    low, high = sorted((cand_a.id, cand_b.id))
    pair = DuplicateFlag(candidate_id=low, other_id=high, reasons=["same phone"])
    db.session.add(pair)
    # Clinic Y's issued invoice, billing candidate B's hours (issue 19).
    invoice = Invoice(
        clinic_id=clinic_y.id,
        status="issued",
        number="INV-2026-00001",
        period_start=starts.date(),
        period_end=starts.date() + timedelta(days=6),
        issue_date=starts.date(),
        due_date=starts.date() + timedelta(days=30),
        issued_at=utcnow(),
        bill_to="Harbor Pediatrics Yonder",
        total=Decimal("240.00"),
        lines=[
            InvoiceLine(
                position=1,
                timesheet_id=sheet_b.id,
                work_date=starts.date(),
                worker_name=f"{cand_b.first_name} {cand_b.last_name}",
                description="Medical Secretary Yonder",
                regular_minutes=450,
                bill_rate=Decimal("32.00"),
                amount=Decimal("240.00"),
                pay_amount=Decimal("150.00"),
            )
        ],
    )
    db.session.add(invoice)
    # A staff import waiting for its column mapping (the file is not needed to reach its pages).
    job = ImportJob(kind="candidates", stored_name="imports/missing.csv", file_format="csv")
    db.session.add(job)
    # Staff's pool (with candidate B), a saved search and a message template (issue 21).
    pool = TalentPool(name="Sweep pool", created_by_id=staff.id)
    db.session.add(pool)
    db.session.flush()
    db.session.add(TalentPoolMember(pool_id=pool.id, candidate_id=cand_b.id))
    search = SavedSearch(owner_id=staff.id, name="Sweep search", filters={"role": "receptionist"})
    template = MessageTemplate(name="Sweep template", subject="Hello", body="Hi {first_name}")
    db.session.add_all([search, template])
    db.session.commit()
    return World(
        ids={
            "candidate_id": cand_b.id,
            "credential_id": cred_b.id,
            "application_id": apps["b"].id,
            "opening_id": opening_y.id,
            "clinic_id": pending_clinic.id,
            "user_id": other_staff.id,
            "message_id": message.id,
            "token": RESET_TOKEN,
            "name": "missing.eml",
            "token_id": api_token.id,
            "endpoint_id": hook.id,
            "review_id": review.id,
            "interview_id": interview.id,
            "shift_id": shift_y.id,
            "booking_id": booking_b.id,
            "offer_id": offer_b.id,
            "flag_id": pair.id,
            "invoice_id": invoice.id,
            "table": "weeks",
            "timesheet_id": sheet_b.id,
            "job_id": job.id,
            "pool_id": pool.id,
            "search_id": search.id,
            "template_id": template.id,
            # A login of clinic Y (its team's routes).
            "member_id": clinic_y.members[0].id,
        },
        users={
            "candidate_a": cand_a.user,
            "candidate_b": cand_b.user,
            "clinic_x": clinic_x.members[0],
            "clinic_y": clinic_y.members[0],
            "staff": staff,
            "admin": admin,
        },
        secrets={
            # What candidate B and clinic Y hold that nobody else outside the agency may see.
            "candidate_b_email": cand_b.user.email,
            "candidate_b_name": cand_b.last_name,
            "candidate_b_phone": cand_b.phone,
            "candidate_b_credential": "SECRET-B-4711",
            "unsubscribe": notifications.unsubscribe_token(cand_b.user_id),
            "candidate_b_api_token": api_raw,
            "clinic_y_webhook_secret": hook.secret,
        },
    )


def reset_tables() -> None:
    from tests.conftest import _reset_tables

    db.session.rollback()
    _reset_tables()
    engine().reset()


def fingerprint() -> str:
    """A digest of every row the application keeps, except the audit trail."""
    digest = hashlib.sha256()
    db.session.rollback()
    for table in db.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    db.session.rollback()
    return digest.hexdigest()


def url_for_rule(rule: Any, ids: dict[str, Any]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), path)
    return path


def endpoints(app: Flask) -> list[tuple[str, Any, set[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        rules.append((rule.endpoint, rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return sorted(rules, key=lambda r: (r[0], r[1].rule))


# --- Reading forms out of the HTML a user is shown ------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, number, date, ...
    value: str = ""
    options: tuple[str, ...] = ()
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    multipart: bool
    fields: list[Field]

    def field_names(self) -> list[str]:
        return sorted({f.name for f in self.fields})

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, urlsplit(self.action).path, tuple(self.field_names()))


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=a.get("action") or self.page,
                method=(a.get("method") or "get").upper(),
                multipart="multipart" in a.get("enctype", ""),
                fields=[],
            )
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset") and "value" not in a:
                return
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "button" and a.get("name"):
            self._form.fields.append(Field(a["name"], "button", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            # The browser sends the selected option, or the first one when none is selected.
            if "selected" in a and not self._select.checked:
                self._select.value, self._select.checked = value, True
            elif not self._select.options and not self._select.checked:
                self._select.value = value
            self._select.options = (*self._select.options, value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(page: str, html: str) -> tuple[list[Form], list[str]]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms, parser.links


def base_values(form: Form) -> dict[str, list[str]]:
    """What a browser would send if the user pressed submit without touching anything."""
    values: dict[str, list[str]] = {}
    for field in form.fields:
        if field.kind in ("checkbox", "radio") and not field.checked:
            continue
        if field.kind in ("button", "file"):
            continue
        values.setdefault(field.name, []).append(field.value)
    # The first submit button is the one a user presses.
    buttons = [f for f in form.fields if f.kind in ("button", "submit")]
    if buttons:
        values[buttons[0].name] = [buttons[0].value]
    return values

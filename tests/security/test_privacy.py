"""Privacy by enumeration: every personal column is exported and erased (or says why not), every
table that points at a candidate has a declared fate, and the schema holds no patient data.

A new column or table fails here until somebody decides how export and erasure treat it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import pytest
from flask import Flask

import agency.models
from agency.extensions import db
from agency.models import Candidate, User
from tests.factories import PASSWORD
from tests.security.conftest import World, build_world

ERASED = "erased"
# column: ERASED (blanked or removed on erasure) or the reason it may stay.
CANDIDATE_COLUMNS = {
    "id": "the row's key; applications keep pointing at it",
    "user_id": ERASED,
    "first_name": ERASED,
    "last_name": ERASED,
    "phone": ERASED,
    "zip_code": ERASED,
    "lat": ERASED,
    "lon": ERASED,
    "commute_miles": "not identifying once name, contact and location are gone",
    "desired_roles": "not identifying; kept for the agency's placement statistics",
    "min_pay": ERASED,
    "availability_mask": "not identifying once name, contact and location are gone",
    "years_experience": "not identifying once name, contact and location are gone",
    "typing_wpm": ERASED,
    "languages": ERASED,
    "ehr_systems": ERASED,
    "summary": ERASED,
    "resume_path": ERASED,
    "resume_filename": ERASED,
    "resume_text": ERASED,
    "status": "records that the person was erased",
    "consent_share_profile": ERASED,
    "consent_terms_at": "when terms were accepted: proof of lawful processing",
    "entered_by_id": "which staff member typed the record in: bookkeeping",
    "claimed_at": "when the person claimed a staff-entered record: bookkeeping",
    "created_at": "bookkeeping",
    "updated_at": "bookkeeping",
}
# The whole users row is deleted on erasure; these columns are never part of an export.
USER_NOT_EXPORTED = {"password_hash": "a secret", "session_version": "internal counter"}
# Every table with a foreign key to candidates: (in the export?, what erasure does).
CANDIDATE_TABLES = {
    "candidate_skills": ("exported", "deleted"),
    "credentials": ("exported", "deleted with their documents"),
    "applications": ("exported", "kept for statistics with the candidate's note cleared"),
    "notes": ("internal staff notes, not exported", "deleted"),
    "matches": ("derived engine scores, not exported", "deleted"),
    "decisions": ("staff decisions, not exported", "kept: scores and stages only"),
    "self_identifications": ("exported", "deleted"),
    "human_review_requests": ("exported", "deleted"),
    "shift_offers": ("exported", "deleted"),
    "shift_bookings": (
        "exported without staff's correction reason",
        "upcoming ones canceled; past ones kept for the records, reasons typed cleared",
    ),
    "duplicate_flags": ("staff's duplicate check, not exported", "deleted"),
    "timesheets": (
        "exported without the bill side (bill rate and amount) and who reviewed",
        "kept: payroll and invoices rest on the hours",
    ),
    "talent_pool_members": ("staff's lists, not exported", "deleted"),
    "communications": ("exported (subject, body, status, date)", "deleted"),
}
# Tables with a foreign key to users that a candidate's user row can appear in.
USER_TABLES = {
    "audit_events": "kept (actor set to null); the e-mail is scrubbed from details",
    "auth_tokens": "deleted",
    "duplicate_flags": "only staff resolve likely duplicates",
    "api_tokens": "deleted",
    "webhook_endpoints": "only clinic members and admins register webhooks",
    "stage_changes": "kept; reasons the candidate typed are cleared",
    "candidates": "the link is cleared",
    "notes": "only staff write notes",
    "openings": "only clinic users create openings; staff enter them for a clinic",
    "import_jobs": "only staff import files",
    "clinics": "only staff approve clinics",
    "credentials": "only staff verify credentials",
    "decisions": "only staff decide",
    "human_review_requests": "only staff handle requests",
    "shifts": "only clinic members and staff request shifts",
    "shift_offers": "only staff offer shifts",
    "shift_bookings": "only clinic members and staff mark attendance",
    "interviews": "only clinic members and staff propose times and record outcomes",
    "calendar_feeds": "deleted with the user (its private address stops answering)",
    "invoices": "only staff draft, issue and credit invoices",
    "rate_cards": "only staff set rates",
    "timesheets": "kept; who submitted is cleared with the user row (SET NULL)",
    "saved_searches": "only staff save searches",
    "talent_pools": "only staff keep pools",
    "talent_pool_members": "only staff add to pools",
    "message_templates": "only staff write templates",
    "communications": "only staff send messages",
}
PATIENT_DATA = re.compile(
    r"patient|diagnos|medical_record|record_number|birth|social_sec|member_id|policy_number"
    r"|treatment|prescri|medication|symptom|allerg|health_record|(?:^|_)(?:mrn|dob|ssn|phi)(?:_|$)",
    re.I,
)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def world(app: Flask, taxonomy: Any) -> World:
    return build_world()


def _referencing(target: str) -> set[str]:
    # Every model module, not only those `agency.models` re-exports (self_id is kept out of it on
    # purpose) or some other test happened to import: the answer must not depend on test order.
    for module in pkgutil.iter_modules(agency.models.__path__):
        importlib.import_module(f"agency.models.{module.name}")
    return {
        table.name
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == target
    }


def test_every_candidate_column_has_a_declared_fate() -> None:
    columns = {c.key for c in Candidate.__table__.columns}
    assert columns == set(CANDIDATE_COLUMNS), (
        "decide how export and erasure treat: "
        f"{sorted(columns ^ set(CANDIDATE_COLUMNS))} (tests/security/test_privacy.py)"
    )


def test_every_table_pointing_at_a_person_has_a_declared_fate() -> None:
    assert _referencing("candidates") == set(CANDIDATE_TABLES)
    assert _referencing("users") == set(USER_TABLES)


def test_export_holds_every_column_but_secrets(app: Flask, world: World) -> None:
    client = app.test_client()
    client.post("/login", data={"email": world.users["candidate_b"].email, "password": PASSWORD})
    data = json.loads(client.post("/me/export").data)
    assert set(data["user"]) == {c.key for c in User.__table__.columns} - set(USER_NOT_EXPORTED)
    hidden = {"resume_path"}  # a storage detail; the file name and text are exported
    assert set(data["candidate"]) == set(CANDIDATE_COLUMNS) - hidden
    body = json.dumps(data)
    assert world.users["candidate_b"].password_hash not in body
    assert world.secrets["candidate_b_credential"] in body
    assert world.secrets["candidate_b_phone"] in body


def test_erasure_blanks_every_erased_column(app: Flask, world: World) -> None:
    cid = world.ids["candidate_id"]
    before = {k: getattr(db.session.get(Candidate, cid), k) for k in CANDIDATE_COLUMNS}
    client = app.test_client()
    email = world.users["candidate_b"].email
    client.post("/login", data={"email": email, "password": PASSWORD})
    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    after = db.session.get(Candidate, cid)
    for column, fate in CANDIDATE_COLUMNS.items():
        value = getattr(after, column)
        if fate == ERASED:
            assert value in (None, "", [], False, "Erased"), f"{column} kept {value!r}"
        elif column not in ("status", "updated_at"):
            assert value == before[column], f"{column} changed although it is kept"
    assert db.session.execute(db.select(User).where(User.email == email)).first() is None
    # Nothing that names the person is left in any table.
    for table in db.metadata.sorted_tables:
        rows = repr(db.session.execute(table.select()).all())
        for key in ("candidate_b_email", "candidate_b_name", "candidate_b_phone"):
            assert world.secrets[key] not in rows, f"{key} left in {table.name}"
        assert world.secrets["candidate_b_credential"] not in rows, table.name


def test_no_patient_data_anywhere_in_the_schema() -> None:
    offending = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if PATIENT_DATA.search(table.name) or PATIENT_DATA.search(column.name)
    ]
    assert offending == [], f"patient data has no place in a staffing platform: {offending}"


def test_the_patient_data_check_would_catch_the_usual_names() -> None:
    for name in ("patient_name", "diagnosis_code", "mrn", "candidate_dob", "date_of_birth", "ssn"):
        assert PATIENT_DATA.search(name), name
    for name in ("phone", "zip_code", "summary", "ehr_systems", "desired_roles"):
        assert not PATIENT_DATA.search(name), name

"""Every security-relevant action leaves an AuditEvent: who, what, when (UTC), from where, and
never a secret. The actions are done through the site, as the people involved would do them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Role, User
from agency.services import accounts
from tests.factories import PASSWORD
from tests.security.conftest import RESET_TOKEN, World, build_world

NEW_STAFF_PASSWORD = "Orchid-lantern-harbor-77"
NEW_RESET_PASSWORD = "Granite-meadow-violin-31"


@pytest.fixture
def world(app: Flask, taxonomy: Any) -> World:
    return build_world()


def _client(app: Flask, user: Any | None = None, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def _one(action: str, **expected: Any) -> AuditEvent:
    events = _events(action)
    assert events, f"no {action!r} audit event"
    event = events[-1]
    for key, value in expected.items():
        assert getattr(event, key) == value, (action, key, getattr(event, key), value)
    return event


def test_each_action_is_audited_in_utc_without_secrets(app: Flask, world: World) -> None:
    start = datetime.now(UTC) - timedelta(seconds=5)
    staff, admin = world.users["staff"], world.users["admin"]
    cand_b = world.users["candidate_b"]
    ids = world.ids

    # Logins, a failed one, and an access denied.
    anonymous = app.test_client()
    anonymous.post("/login", data={"email": cand_b.email, "password": "not my password!"})
    _one("login_failed", actor_id=None)
    as_b = _client(app, cand_b)
    _one("login", actor_id=cand_b.id, object_id=cand_b.id)
    assert as_b.get("/staff/").status_code == 403
    _one("access_denied", actor_id=cand_b.id)

    # Staff: credential verified, stage changes up to a placement, a clinic approved.
    as_staff = _client(app, staff)
    response = as_staff.post(
        f"/staff/credentials/{ids['credential_id']}/verify", data={"outcome": "verified"}
    )
    assert response.status_code == 302
    _one("credential_verified", actor_id=staff.id, object_id=ids["credential_id"])
    for stage in ("interview", "offered", "placed"):
        response = as_staff.post(
            f"/staff/applications/{ids['application_id']}/move",
            data={"to_stage": stage, "reason": "fits well"},
        )
        assert response.status_code == 302, stage
    _one("stage_changed", actor_id=staff.id, object_id=ids["application_id"])
    placement = _one("placement", actor_id=staff.id, object_id=ids["application_id"])
    assert placement.details["to"] == "placed"
    assert as_staff.post(f"/staff/clinics/{ids['clinic_id']}/approve").status_code == 302
    _one("clinic_approved", actor_id=staff.id, object_id=ids["clinic_id"])

    # Admin actions: an account created, one deactivated.
    as_admin = _client(app, admin)
    response = as_admin.post(
        "/staff/admin/staff",
        data={"email": "new.staff@example.com", "role": "staff", "password": NEW_STAFF_PASSWORD},
    )
    assert response.status_code == 302
    _one("staff_account_created", actor_id=admin.id)
    response = as_admin.post(f"/staff/admin/staff/{ids['user_id']}/active", data={"active": "0"})
    assert response.status_code == 302
    _one("staff_account_deactivated", actor_id=admin.id, object_id=ids["user_id"])

    # A password reset through the e-mailed link.
    response = anonymous.post(
        f"/reset/{RESET_TOKEN}",
        data={"password": NEW_RESET_PASSWORD, "confirm": NEW_RESET_PASSWORD},
    )
    assert response.status_code == 302
    _one("password_reset", object_id=cand_b.id)

    # Candidate B: export, then erasure.
    as_b = _client(app, cand_b, NEW_RESET_PASSWORD)
    assert as_b.post("/me/export").status_code == 200
    _one("data_export", actor_id=cand_b.id, object_id=ids["candidate_id"])
    response = as_b.post("/me/delete", data={"password": NEW_RESET_PASSWORD, "understood": "y"})
    assert response.status_code == 302
    _one("data_erasure", object_type="candidate", object_id=ids["candidate_id"])

    events = list(db.session.execute(db.select(AuditEvent)).scalars())
    now = datetime.now(UTC) + timedelta(seconds=5)
    secrets = [PASSWORD, NEW_STAFF_PASSWORD, NEW_RESET_PASSWORD, "not my password!", RESET_TOKEN]
    for event in events:
        assert event.created_at.tzinfo is not None and event.created_at.utcoffset() == timedelta(0)
        assert start <= event.created_at <= now, event.action
        assert event.ip == "127.0.0.1" or event.ip == "", event.action
        text = json.dumps(event.details)
        for secret in secrets:
            assert secret not in text, f"{event.action} details hold a secret"
        assert not {"password", "token", "csrf_token"} & {k.lower() for k in event.details}
    # The raw reset token is never stored either: only its hash, in its own table.
    assert accounts.user_for_reset_token(RESET_TOKEN) is None


def test_audit_record_drops_secret_keys_whatever_the_caller_passes(app: Flask) -> None:
    from agency.services import audit

    event = audit.record(
        "test", details={"password": "p", "Token": "t", "csrf_token": "c", "kept": 1}
    )
    assert event.details == {"kept": 1}
    db.session.rollback()


def test_staff_can_read_the_audit_log_and_others_cannot(app: Flask, world: World) -> None:
    _client(app, world.users["candidate_a"]).get("/staff/")  # an access_denied to find
    page = _client(app, world.users["staff"]).get("/staff/admin/audit?action=access_denied")
    assert page.status_code == 200
    assert world.users["candidate_a"].email in page.get_data(as_text=True)
    assert _client(app, world.users["clinic_x"]).get("/staff/admin/audit").status_code == 403
    assert db.session.get(User, world.users["candidate_a"].id).role == Role.CANDIDATE

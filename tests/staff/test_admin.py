"""Administration: clinic approval, staff accounts (admins only) and the audit log."""

from __future__ import annotations

from agency.extensions import db
from agency.models import AuditEvent, OutboxMessage, Role, User


def test_approve_clinic_notifies_and_audits(client, staff, make_clinic) -> None:
    clinic = make_clinic(approved=False, name="Waiting Room Clinic")
    assert "Waiting Room Clinic" in client.get("/staff/clinics").get_data(as_text=True)
    assert "Waiting Room Clinic" in client.get("/staff/").get_data(as_text=True)
    response = client.post(f"/staff/clinics/{clinic.id}/approve")
    assert response.status_code == 302
    db.session.refresh(clinic)
    assert clinic.approved and clinic.approved_by_id == staff.id
    keys = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert any(k.startswith(f"clinic-approved:{clinic.id}") for k in keys)
    assert (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "clinic_approved"))
        .scalar_one()
        .object_id
        == clinic.id
    )
    again = client.post(f"/staff/clinics/{clinic.id}/approve", follow_redirects=True)
    assert "already approved" in again.get_data(as_text=True)
    assert client.post("/staff/clinics/99999/approve").status_code == 404


def test_admin_creates_and_deactivates_staff(client, admin) -> None:
    response = client.post(
        "/staff/admin/staff",
        data={
            "email": "new.coordinator@example.com",
            "role": "staff",
            "password": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302
    user = db.session.execute(
        db.select(User).where(User.email == "new.coordinator@example.com")
    ).scalar_one()
    assert user.role == "staff" and user.active
    response = client.post(f"/staff/admin/staff/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.active
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "staff_account_created" in actions and "staff_account_deactivated" in actions


def test_staff_account_refusals(client, admin, make_user, make_candidate) -> None:
    taken = client.post(
        "/staff/admin/staff",
        data={"email": admin.email, "role": "staff", "password": "a long enough passphrase 42"},
    )
    assert taken.status_code == 200 and "already exists" in taken.get_data(as_text=True)
    weak = client.post(
        "/staff/admin/staff", data={"email": "x@example.com", "role": "staff", "password": "short"}
    )
    assert weak.status_code == 200
    bad_role = client.post(
        "/staff/admin/staff",
        data={
            "email": "y@example.com",
            "role": "candidate",
            "password": "a long enough passphrase 42",
        },
    )
    assert bad_role.status_code == 200
    me = client.post(
        f"/staff/admin/staff/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "cannot deactivate your own account" in me.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active
    candidate_user = make_candidate().user
    assert (
        client.post(
            f"/staff/admin/staff/{candidate_user.id}/active", data={"active": "0"}
        ).status_code
        == 404
    )
    other = make_user(Role.STAFF)
    assert (
        client.post(f"/staff/admin/staff/{other.id}/active", data={"active": "x"}).status_code
        == 400
    )


def test_staff_cannot_manage_accounts(client, staff) -> None:
    assert client.get("/staff/admin/staff").status_code == 403
    assert (
        client.post(f"/staff/admin/staff/{staff.id}/active", data={"active": "0"}).status_code
        == 403
    )


def test_audit_log_filters_by_action_and_actor(client, staff, scene) -> None:
    client.get(f"/staff/candidates/{scene.near.id}")
    client.post(f"/staff/candidates/{scene.near.id}/notes", data={"body": "hello"})
    html = client.get("/staff/admin/audit?action=candidate_viewed").get_data(as_text=True)
    assert "candidate viewed" in html and "note added</th>" not in html
    html = client.get("/staff/admin/audit", query_string={"actor": staff.email}).get_data(
        as_text=True
    )
    assert "note added" in html
    html = client.get("/staff/admin/audit?actor=nobody@nowhere").get_data(as_text=True)
    assert "No events match" in html
    assert client.get("/staff/admin/audit?action=made_up").status_code == 200

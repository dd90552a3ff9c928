"""Clinic teams: managers invite colleagues (a single-use link to set a password), change roles,
remove them (never the last manager); viewers see but change nothing, on every write route; and
the team page tells who did what on the clinic's openings, in the clinic's words."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from agency.extensions import db
from agency.models import AuthToken, ClinicRole, OutboxMessage, Role, User
from agency.services import link_secrets, pipeline
from tests.conftest import login
from tests.factories import PASSWORD
from tests.security.conftest import build_world, fingerprint, url_for_rule

NEW_PASSWORD = "a long enough pass phrase 42"


@pytest.fixture
def clinic(make_clinic: Any, taxonomy: Any) -> Any:
    return make_clinic()


def _invitation_link() -> str:
    message = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("clinic-invite:%"))
    ).scalar_one()
    # The link as the worker renders it (the stored payload holds no live token).
    return str(link_secrets.open_context(message.payload["context"])["join_url"])


def _member(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_a_manager_invites_a_colleague_who_sets_a_password_once(
    app: Flask, client: Any, clinic: Any, login_as: Any
) -> None:
    login_as(clinic.members[0])
    response = client.post(
        "/clinic/team/invite", data={"email": "Frontdesk@Example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    invited = _member("frontdesk@example.com")
    assert (invited.clinic_id, invited.role, invited.clinic_role) == (
        clinic.id,
        Role.CLINIC.value,
        ClinicRole.VIEWER.value,
    )
    link = _invitation_link()
    path = link[link.index("/clinic/join/") :]
    # Nobody can log in with the account until the invitee chose a password.
    client.post("/logout")
    assert login(client, "frontdesk@example.com", PASSWORD).status_code == 200
    page = client.get(path)
    assert page.status_code == 200 and "frontdesk@example.com" in page.get_data(as_text=True)
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert "12 characters" in short.get_data(as_text=True)
    joined = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/clinic/")
    assert client.get("/clinic/").status_code == 200
    # Single use: the link is dead now.
    client.post("/logout")
    again = client.post(path, data={"password": NEW_PASSWORD + "x", "confirm": NEW_PASSWORD + "x"})
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert login(client, "frontdesk@example.com", NEW_PASSWORD).status_code == 302


def test_invite_refuses_an_address_with_an_account_and_keeps_the_input(
    client: Any, clinic: Any, login_as: Any, make_user: Any
) -> None:
    make_user(Role.CANDIDATE, email="taken@example.com")
    login_as(clinic.members[0])
    data = {"email": "taken@example.com", "role": "manager"}
    page = client.post("/clinic/team/invite", data=data)
    body = page.get_data(as_text=True)
    assert "already has a ClinicMatch account" in body
    assert 'value="taken@example.com"' in body
    assert db.session.scalar(db.select(db.func.count(AuthToken.id))) == 0


def test_removing_ends_the_login_but_never_the_last_manager(
    client: Any, clinic: Any, login_as: Any, make_user: Any
) -> None:
    manager = clinic.members[0]
    viewer = make_user(Role.CLINIC, clinic_id=clinic.id, clinic_role="viewer")
    login_as(manager)
    # The only manager cannot remove themself, nor be made a viewer.
    client.post(f"/clinic/team/{manager.id}/remove")
    client.post(f"/clinic/team/{manager.id}/role", data={"role": "viewer"})
    db.session.expire_all()
    assert db.session.get(User, manager.id).active
    assert db.session.get(User, manager.id).clinic_role != "viewer"
    assert client.post(f"/clinic/team/{viewer.id}/remove").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, viewer.id).active
    client.post("/logout")
    assert login(client, viewer.email).status_code == 200  # refused


def test_a_member_of_another_clinic_is_out_of_reach(
    client: Any, clinic: Any, make_clinic: Any, login_as: Any
) -> None:
    other = make_clinic(name="Other Clinic")
    login_as(clinic.members[0])
    target = other.members[0]
    assert client.post(f"/clinic/team/{target.id}/remove").status_code == 404
    assert client.post(f"/clinic/team/{target.id}/role", data={"role": "viewer"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, target.id).active


def test_a_viewer_is_refused_on_every_clinic_write_route(app: Flask, client: Any) -> None:
    """Every route marked as a clinic write (the decorator) answers 403 to a viewer of the
    clinic that owns the object, for every method, and changes nothing."""
    world = build_world()
    clinic_id = world.users["clinic_y"].clinic_id
    viewer = User(
        email="viewer@example.com",
        password_hash=world.users["clinic_y"].password_hash,
        role=Role.CLINIC.value,
        clinic_id=clinic_id,
        clinic_role=ClinicRole.VIEWER.value,
    )
    db.session.add(viewer)
    db.session.commit()
    world.ids["member_id"] = world.users["clinic_y"].id
    assert login(client, viewer.email).status_code == 302
    guarded = [
        rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "clinic_write", False)
    ]
    names = {rule.endpoint for rule in guarded}
    # The routes that change a clinic's things: openings, decisions, interviews, shifts, the
    # profile, the team, the webhooks.
    assert {
        "clinics.new_opening",
        "clinics.paste_opening",
        "clinics.edit_opening",
        "clinics.opening_status",
        "clinics.move_application",
        "clinics.propose_interview",
        "clinics.interview_cancel",
        "clinics.interview_reschedule",
        "clinics.interview_outcome",
        "clinics.new_shift",
        "clinics.cancel_shift",
        "clinics.mark_attendance",
        "clinics.profile",
        "clinics.team_invite",
        "clinics.team_remove",
        "clinics.team_role",
        "webhooks.index",
        "webhooks.remove",
    } <= names
    before = fingerprint()
    failures = []
    for rule in guarded:
        url = url_for_rule(rule, world.ids)
        for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}):
            if method == "GET" and rule.endpoint in ("clinics.profile", "webhooks.index"):
                continue  # a page viewers may read
            code = client.open(url, method=method, data={}).status_code
            if code != 403:
                failures.append(f"{method} {url}: {code}")
    assert failures == []
    assert fingerprint() == before
    # Reading stays open to the viewer.
    assert client.get("/clinic/").status_code == 200
    assert client.get("/clinic/profile").status_code == 200
    assert client.get(f"/clinic/openings/{world.ids['opening_id']}").status_code == 200
    assert client.get("/clinic/team").status_code == 200


def test_the_api_refuses_a_viewers_writes(app: Flask, client: Any, clinic: Any, make_user: Any):
    from agency.services import api_tokens

    viewer = make_user(Role.CLINIC, clinic_id=clinic.id, clinic_role="viewer")
    _row, raw = api_tokens.create(viewer, "viewer", "write")
    db.session.commit()
    response = client.post(
        "/api/v1/openings", json={"title": "x"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 403
    assert "viewer" in response.get_json()["detail"]


def test_the_activity_log_names_members_and_hides_the_agencys_reasons(
    client: Any, clinic: Any, login_as: Any, make_opening: Any, make_candidate: Any, make_user: Any
) -> None:
    manager = clinic.members[0]
    login_as(manager)
    client.post("/clinic/team/invite", data={"email": "second@example.com", "role": "manager"})
    opening = make_opening(clinic, title="Front desk (mornings)")
    staff = make_user(Role.STAFF)
    shown = make_candidate(first_name="Shown", last_name="Person")
    hidden = make_candidate(first_name="Hidden", last_name="Person")
    app_shown = pipeline.source(shown, opening, staff)
    pipeline.move(app_shown, "submitted", staff)
    # Rejected before it was ever submitted: the clinic never hears of it, nor of the reason.
    app_hidden = pipeline.source(hidden, opening, staff)
    pipeline.move(app_hidden, "rejected", staff, reason="Staff-only judgement XYZ")
    db.session.commit()
    client.post(
        f"/clinic/applications/{app_shown.id}/move",
        data={"to_stage": "interview"},
    )
    page = client.get("/clinic/team").get_data(as_text=True)
    assert "The agency</strong> submitted Shown P." in page
    assert "Hidden" not in page and "XYZ" not in page
    assert "Front desk (mornings)" in page
    assert "second@example.com" in page  # the invitation lists the new colleague
    # The clinic's own decision is named by who made it.
    assert f"{manager.email}</strong> moved Shown P. to interview" in page

"""Applying: one transaction with the stage change, the score, the notifications; refusals."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Match,
    OpeningStatus,
    OutboxMessage,
    Role,
    StageChange,
)
from agency.services import applications


def _applications() -> list[Application]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Application)).scalars())


def test_apply_page_and_application(client: FlaskClient, signed_in, make_opening) -> None:
    opening = make_opening(title="Front Desk Receptionist")
    page = client.get(f"/me/apply/{opening.id}")
    assert page.status_code == 200 and "Apply: Front Desk Receptionist" in page.get_data(
        as_text=True
    )
    response = client.post(f"/me/apply/{opening.id}", data={"note": "Can start Monday."})
    assert response.status_code == 302
    [app_row] = _applications()
    assert response.headers["Location"].endswith(f"/me/applications/{app_row.id}")
    assert (app_row.source, app_row.stage, app_row.note) == (
        "applied",
        "applied",
        "Can start Monday.",
    )
    [change] = db.session.execute(db.select(StageChange)).scalars().all()
    assert (change.from_stage, change.to_stage, change.actor_id) == (
        None,
        "applied",
        signed_in.user_id,
    )
    match = db.session.execute(db.select(Match)).scalar_one()
    assert (match.candidate_id, match.opening_id) == (signed_in.id, opening.id)
    assert 0 <= match.score <= 100
    outbox = {m.kind for m in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert {"email", "notify_staff"} <= outbox
    assert (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "application_created"))
        .scalar_one()
        .object_id
        == app_row.id
    )
    # Right after applying: the fit summary, in words.
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fit" in detail and "My fit with this opening" in detail
    assert "Your application is sent." in detail


def test_fit_summary_names_what_is_missing(signed_in, make_opening, make_user) -> None:
    from agency.models import CredentialType, OpeningCredential

    opening = make_opening()
    cpc = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    opening.credentials.append(OpeningCredential(credential_type=cpc))
    db.session.commit()
    result = applications.apply(signed_in, opening, "", signed_in.user)
    assert "CPC" in result.explanation.summary


def test_confirmation_confirms_first_then_says_what_would_make_it_stronger(
    client: FlaskClient, signed_in, make_opening
) -> None:
    from agency.models import CredentialType, OpeningCredential

    opening = make_opening()
    cpc = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    opening.credentials.append(OpeningCredential(credential_type=cpc))
    db.session.commit()
    page = client.post(f"/me/apply/{opening.id}", data={}, follow_redirects=True).get_data(
        as_text=True
    )
    flashes = dict(re.findall(r'class="flash flash-(\w+)".*?<div>(.*?)</div>', page, re.S))
    assert "Your application is sent." in flashes["success"]
    assert "not eligible" not in flashes["success"]
    tip = flashes["info"]
    assert "What would make it stronger:" in tip and "CPC" in tip


def test_applying_twice_is_refused_politely(client: FlaskClient, signed_in, make_opening) -> None:
    opening = make_opening()
    client.post(f"/me/apply/{opening.id}", data={})
    again = client.post(f"/me/apply/{opening.id}", data={}, follow_redirects=True)
    assert again.status_code == 200
    assert "You have already applied to this opening" in again.get_data(as_text=True)
    assert len(_applications()) == 1
    with pytest.raises(applications.ApplyError, match="already applied"):
        applications.apply(signed_in, opening, "", signed_in.user)


@pytest.mark.parametrize(
    "status", [OpeningStatus.CLOSED, OpeningStatus.ON_HOLD, OpeningStatus.FILLED]
)
def test_only_open_openings_take_applications(
    client: FlaskClient, signed_in, make_opening, status
) -> None:
    opening = make_opening(status=status)
    response = client.post(f"/me/apply/{opening.id}", data={}, follow_redirects=True)
    assert "not taking applications" in response.get_data(as_text=True)
    assert _applications() == []


def test_draft_and_unknown_openings_are_404(client: FlaskClient, signed_in, make_opening) -> None:
    draft = make_opening(status=OpeningStatus.DRAFT)
    assert client.get(f"/me/apply/{draft.id}").status_code == 404
    assert client.post(f"/me/apply/{draft.id}", data={}).status_code == 404
    assert client.post("/me/apply/987654321", data={}).status_code == 404
    assert client.post("/me/apply/99999999999999999999999", data={}).status_code == 404
    assert _applications() == []


def test_note_too_long_is_refused(client: FlaskClient, signed_in, make_opening) -> None:
    opening = make_opening()
    response = client.post(f"/me/apply/{opening.id}", data={"note": "x" * 2001})
    assert response.status_code == 200 and 'id="note-error"' in response.get_data(as_text=True)
    assert _applications() == []


def test_clinics_and_staff_cannot_apply(
    client: FlaskClient, make_opening, make_user, login_as
) -> None:
    opening = make_opening()
    login_as(opening.clinic.members[0])
    assert client.post(f"/me/apply/{opening.id}", data={}).status_code == 403
    client.post("/logout")
    login_as(make_user(Role.STAFF))
    assert client.post(f"/me/apply/{opening.id}", data={}).status_code == 403
    assert _applications() == []


def test_anonymous_apply_goes_to_login_and_back(client: FlaskClient, make_opening) -> None:
    opening = make_opening()
    response = client.get(f"/me/apply/{opening.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert f"me%2Fapply%2F{opening.id}" in response.headers["Location"] or (
        f"/me/apply/{opening.id}" in response.headers["Location"]
    )


def test_withdraw_with_reason(client: FlaskClient, signed_in, make_opening) -> None:
    opening = make_opening()
    client.post(f"/me/apply/{opening.id}", data={})
    [app_row] = _applications()
    refused = client.post(f"/me/applications/{app_row.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 200 and "Please tell us why." in refused.get_data(as_text=True)
    assert _applications()[0].stage == "applied"
    done = client.post(
        f"/me/applications/{app_row.id}/withdraw", data={"reason": "Took another job"}
    )
    assert done.status_code == 302
    [app_row] = _applications()
    assert (app_row.stage, app_row.stage_reason) == ("withdrawn", "Took another job")
    assert [h.to_stage for h in app_row.history] == ["applied", "withdrawn"]
    # A withdrawn application cannot be withdrawn again, and the form is gone.
    again = client.post(
        f"/me/applications/{app_row.id}/withdraw", data={"reason": "again"}, follow_redirects=True
    )
    assert "Cannot move from withdrawn" in again.get_data(as_text=True)
    page = client.get(f"/me/applications/{app_row.id}").get_data(as_text=True)
    assert "Withdraw this application" not in page and "Took another job" in page


def test_another_candidates_application_is_404(
    client: FlaskClient, signed_in, make_candidate, make_opening
) -> None:
    other = make_candidate()
    opening = make_opening()
    app_row = applications.apply(other, opening, "private note", other.user).application
    db.session.commit()
    assert client.get(f"/me/applications/{app_row.id}").status_code == 404
    assert (
        client.post(f"/me/applications/{app_row.id}/withdraw", data={"reason": "x"}).status_code
        == 404
    )
    assert _applications()[0].stage == "applied"

"""Openings through the API: public reads, a clinic's writes, ETags, cursors and problems."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Opening, Role
from tests.api.conftest import bearer

PROBLEM = "application/problem+json"


def _new_opening(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Front desk receptionist",
        "role_type": "receptionist",
        "description": "Greet patients and schedule visits.",
        "employment_type": "temp",
        "start_date": (date.today() + timedelta(days=10)).isoformat(),
        "pay_min": "19.50",
        "pay_max": "23.00",
    }
    body.update(overrides)
    return body


def test_anyone_lists_open_openings_only(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    clinic = make_clinic()
    shown = make_opening(clinic, title="Open one")
    make_opening(clinic, title="Draft one", status="draft")
    response = client.get("/api/v1/openings")
    assert response.status_code == 200
    body = response.get_json()
    assert [o["title"] for o in body["items"]] == ["Open one"]
    assert body["items"][0]["id"] == shown.id
    assert body["items"][0]["pay_min"] == "18.00" and body["items"][0]["pay_unit"] == "HOUR"
    assert body["next_cursor"] is None


def test_cursor_pagination_walks_every_opening_once(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    clinic = make_clinic()
    ids = [make_opening(clinic).id for _ in range(5)]
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        url = "/api/v1/openings?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).get_json()
        seen += [o["id"] for o in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    bad = client.get("/api/v1/openings?cursor=not-a-cursor")
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert bad.get_json()["errors"][0]["pointer"] == "#/cursor"


def test_etag_answers_304_when_unchanged(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    opening = make_opening(make_clinic())
    first = client.get(f"/api/v1/openings/{opening.id}")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/openings/{opening.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    opening.title = "Renamed"
    db.session.commit()
    changed = client.get(f"/api/v1/openings/{opening.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["title"] == "Renamed"


def test_clinic_posts_and_edits_its_opening_with_if_match(
    client: FlaskClient, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    headers = bearer(clinic.members[0], "write")
    created = client.post("/api/v1/openings", json=_new_opening(), headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "open" and body["clinic"]["id"] == clinic.id
    url = f"/api/v1/openings/{body['id']}"
    # An update without If-Match is refused: it could overwrite a change it never saw.
    assert client.patch(url, json={"positions": 3}, headers=headers).status_code == 428
    etag = client.get(url, headers=headers).headers["ETag"]
    stale = client.patch(url, json={"positions": 3}, headers={**headers, "If-Match": '"stale"'})
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    ok = client.patch(url, json={"positions": 3}, headers={**headers, "If-Match": etag})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["positions"] == 3
    assert db.session.get(Opening, body["id"]).positions == 3


def test_validation_problem_names_the_field(client: FlaskClient, make_clinic: Any) -> None:
    headers = bearer(make_clinic().members[0], "write")
    response = client.post(
        "/api/v1/openings", json=_new_opening(positions=0, role_type="nurse"), headers=headers
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    pointers = {e["pointer"] for e in response.get_json()["errors"]}
    assert pointers == {"#/positions", "#/role_type"}
    # A rule the service enforces (not the schema) names its field too.
    past = client.post(
        "/api/v1/openings",
        json=_new_opening(start_date=(date.today() - timedelta(days=1)).isoformat()),
        headers=headers,
    )
    assert past.status_code == 422
    assert past.get_json()["errors"][0]["pointer"] == "#/start_date"
    assert db.session.scalar(db.select(db.func.count(Opening.id))) == 0


def test_read_token_cannot_write_and_revoked_token_is_refused(
    client: FlaskClient, make_clinic: Any
) -> None:
    from agency.services import api_tokens

    member = make_clinic().members[0]
    read = bearer(member, "read")
    refused = client.post("/api/v1/openings", json=_new_opening(), headers=read)
    assert refused.status_code == 403 and "read-only" in refused.get_json()["detail"]
    assert client.get("/api/v1/openings?mine=true", headers=read).status_code == 200
    token = api_tokens.tokens_of(member)[0]
    api_tokens.revoke(member, token.id)
    db.session.commit()
    gone = client.get("/api/v1/openings?mine=true", headers=read)
    assert gone.status_code == 401 and gone.mimetype == PROBLEM
    assert gone.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_clinic_cannot_edit_and_session_cookie_is_not_enough(
    client: FlaskClient, make_clinic: Any, make_opening: Any, login_as: Any
) -> None:
    owner, stranger = make_clinic(), make_clinic()
    opening = make_opening(owner)
    headers = {**bearer(stranger.members[0], "write"), "If-Match": '"x"'}
    response = client.patch(
        f"/api/v1/openings/{opening.id}", json={"positions": 2}, headers=headers
    )
    assert response.status_code == 404
    # Logged in with the browser session only: the API does not take the cookie (no CSRF hole).
    login_as(owner.members[0])
    cookie_only = client.post("/api/v1/openings", json=_new_opening())
    assert cookie_only.status_code == 401


def test_candidate_token_may_not_post(client: FlaskClient, make_user: Any) -> None:
    headers = bearer(make_user(Role.CANDIDATE), "write")
    assert client.post("/api/v1/openings", json=_new_opening(), headers=headers).status_code == 403

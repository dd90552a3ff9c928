"""Small things a user notices: page titles, paragraphs typed in a browser, "you applied"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Application, OutboxMessage, Role
from agency.services import link_secrets, notifications


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/login", "Log in · ClinicMatch"),
        ("/register", "Sign up · ClinicMatch"),
        ("/forgot", "Reset your password · ClinicMatch"),
    ],
)
def test_titles_name_the_site_once(client: FlaskClient, path: str, title: str) -> None:
    assert _title(client.get(path).get_data(as_text=True)) == title


def test_reset_unsubscribe_and_staff_mail_titles_name_the_site_once(
    app: Flask, client: FlaskClient, make_user: Any, login_as: Any
) -> None:
    user = make_user(Role.STAFF)
    client.post("/forgot", data={"email": user.email})
    url = link_secrets.open_context(
        db.session.execute(db.select(OutboxMessage)).scalar_one().payload["context"]
    )["reset_url"]
    reset = client.get("/" + url.split("/", 3)[3])
    pages = [reset, client.get(f"/unsubscribe/{notifications.unsubscribe_token(user.id)}")]
    login_as(user)
    pages += [client.get("/staff/mail"), client.get("/staff/outbox")]
    for page in pages:
        assert page.status_code == 200
        title = _title(page.get_data(as_text=True))
        assert title.count("ClinicMatch") == 1, title


def test_paragraphs_typed_in_a_browser_stay_paragraphs(
    client: FlaskClient, make_opening: Any
) -> None:
    opening = make_opening(description="Greet patients.\r\n\r\nVerify insurance.")
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "<p>Greet patients.</p>" in page and "<p>Verify insurance.</p>" in page


def test_forms_store_browser_line_breaks_as_newlines(
    client: FlaskClient, make_candidate: Any, make_opening: Any, login_as: Any
) -> None:
    candidate, opening = make_candidate(), make_opening()
    login_as(candidate.user)
    client.post(f"/me/apply/{opening.id}", data={"note": "Monday.\r\n\r\nOr Tuesday.\rThanks"})
    note = db.session.execute(db.select(Application.note)).scalar_one()
    assert note == "Monday.\n\nOr Tuesday.\nThanks"


def test_job_page_says_when_you_applied_instead_of_offering_it_again(
    client: FlaskClient, make_candidate: Any, make_opening: Any, login_as: Any
) -> None:
    candidate, opening = make_candidate(), make_opening()
    login_as(candidate.user)
    before = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Apply for this job" in before
    client.post(f"/me/apply/{opening.id}", data={})
    application = db.session.execute(db.select(Application)).scalar_one()
    after = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Apply for this job" not in after
    assert f"You applied on {application.created_at.strftime('%b %-d, %Y')}" in after
    assert f'href="/me/applications/{application.id}"' in after

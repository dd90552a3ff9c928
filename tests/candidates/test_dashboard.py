"""/me: applications with stage and history, openings that fit, pagination, bounded queries."""

from __future__ import annotations

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import OpeningStatus
from agency.services import applications, pipeline


def _apply_to(candidate, openings) -> None:
    for opening in openings:
        applications.apply(candidate, opening, "", candidate.user)
    db.session.commit()


def test_applications_show_stage_history_and_fit(
    client: FlaskClient, signed_in, make_opening, make_user
) -> None:
    opening = make_opening(title="Billing Secretary")
    _apply_to(signed_in, [opening])
    staff = make_user("staff")
    app_row = applications.existing(signed_in, opening)
    pipeline.move(app_row, "shortlisted", staff)
    pipeline.move(app_row, "submitted", staff)
    db.session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert "Billing Secretary" in html and "Submitted" in html
    # Shortlisting is the agency's internal judgement: the candidate reads applied, then submitted.
    assert "History (2)" in html
    for stage in ("Applied", "Submitted"):
        assert f'<p class="timeline-title">{stage}</p>' in html
    assert "Shortlisted" not in html
    assert 'aria-label="Fit:' in html  # the stored match score is shown


def test_a_shortlisted_application_still_reads_applied(
    client: FlaskClient, signed_in, make_opening, make_user
) -> None:
    opening = make_opening(title="Front Desk Coordinator")
    _apply_to(signed_in, [opening])
    app_row = applications.existing(signed_in, opening)
    pipeline.move(app_row, "shortlisted", make_user("staff"), "strong typist")
    db.session.commit()
    for page in ("/me", f"/me/applications/{app_row.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "Front Desk Coordinator" in html
        assert "Shortlisted" not in html and "strong typist" not in html
        assert "Applied" in html


def test_openings_that_fit_exclude_applied_and_closed(
    client: FlaskClient, signed_in, make_opening
) -> None:
    applied = make_opening(title="Already Applied Desk")
    fits = make_opening(title="Great Fit Front Desk")
    make_opening(title="Closed Desk", status=OpeningStatus.CLOSED)
    _apply_to(signed_in, [applied])
    html = client.get("/me").get_data(as_text=True)
    section = html.split("Openings that fit me")[1]
    assert "Great Fit Front Desk" in section
    assert "Already Applied Desk" not in section and "Closed Desk" not in section
    assert "fit" in section.lower() and f"/me/apply/{fits.id}" in section


def test_dashboard_queries_do_not_grow_with_applications(
    client: FlaskClient, signed_in, make_opening, make_clinic, make_credential, count_queries
) -> None:
    clinic = make_clinic()
    make_credential(signed_in, "CMAA")
    _apply_to(signed_in, [make_opening(clinic=clinic)])
    client.get("/me")  # warm the engine's candidate pool
    with count_queries() as one:
        assert client.get("/me").status_code == 200
    _apply_to(signed_in, [make_opening(clinic=make_clinic()) for _ in range(7)])
    client.get("/me")
    with count_queries() as eight:
        html = client.get("/me").get_data(as_text=True)
    assert html.count('class="app-item"') == 8
    assert eight.count == one.count, eight.statements[one.count :]
    assert one.count <= 20


def test_applications_are_paginated(client: FlaskClient, signed_in, make_opening) -> None:
    opening_list = [make_opening() for _ in range(12)]
    _apply_to(signed_in, opening_list)
    first = client.get("/me").get_data(as_text=True)
    second = client.get("/me?page=2").get_data(as_text=True)
    assert first.count('class="app-item"') == 10 and second.count('class="app-item"') == 2
    assert "12 in all" in first
    assert client.get("/me?page=999").status_code == 200
    assert client.get("/me?page=abc").status_code == 200


def test_dashboard_empty_states(client: FlaskClient, signed_in) -> None:
    html = client.get("/me").get_data(as_text=True)
    assert "No applications yet" in html and "No fitting openings right now" in html

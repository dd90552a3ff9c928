"""Signing up: candidates start at once, clinics wait for staff approval."""

from __future__ import annotations

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Candidate, Clinic, OutboxMessage, Role, User

GOOD = "a long and memorable sentence"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "account_type": "candidate",
        "email": "new.person@example.com",
        "first_name": "Ana",
        "last_name": "Silva",
        "password": GOOD,
        "confirm": GOOD,
        "accept_terms": "y",
    }
    data.update(overrides)
    return data


def test_candidate_signs_up_and_lands_on_me(client: FlaskClient) -> None:
    response = client.post("/register", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.role == Role.CANDIDATE.value
    assert user.password_hash.startswith("$argon2id$")
    candidate = db.session.execute(db.select(Candidate)).scalar_one()
    assert candidate.user_id == user.id and candidate.first_name == "Ana"
    assert client.get("/me").status_code == 200


def test_clinic_signs_up_pending_approval_and_staff_are_told(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data=_form(
            account_type="clinic",
            email="office@sunrise.example.com",
            clinic_name="Sunrise Pediatrics",
            zip_code="02139",
            phone="617 555 0123",
            first_name="",
            last_name="",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/clinic/"
    clinic = db.session.execute(db.select(Clinic)).scalar_one()
    assert clinic.approved is False
    assert clinic.city == "Cambridge" and clinic.lat is not None
    assert clinic.phone == "(617) 555-0123"
    assert b"Waiting for approval" in client.get("/clinic/").data
    kinds = db.session.execute(db.select(OutboxMessage.kind)).scalars().all()
    assert kinds == ["notify_staff"]


def test_bad_input_is_shown_next_to_fields_and_input_kept(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data=_form(email="not-an-email", password="short", confirm="different", accept_terms=""),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Invalid email address." in page
    assert "Use at least 12 characters." in page
    assert "Please accept the terms" in page
    assert 'value="not-an-email"' in page and 'value="Ana"' in page
    assert db.session.execute(db.select(User)).first() is None


def test_common_password_is_refused(client: FlaskClient) -> None:
    response = client.post("/register", data=_form(password="password1234", confirm="password1234"))
    assert b"too common" in response.data


def test_clinic_needs_a_real_zip(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data=_form(account_type="clinic", clinic_name="X Clinic", zip_code="00000"),
    )
    assert b"Enter a real 5-digit US ZIP code." in response.data
    assert db.session.execute(db.select(Clinic)).first() is None


def test_duplicate_email_is_refused_politely(client: FlaskClient, make_user) -> None:
    make_user(Role.CANDIDATE, email="taken@example.com")
    response = client.post("/register", data=_form(email="Taken@Example.com"))
    assert response.status_code == 200
    assert b"already exists" in response.data
    assert len(db.session.execute(db.select(User)).all()) == 1


def test_password_is_kept_exactly_as_typed(client: FlaskClient) -> None:
    spaced = "  a long sentence with spaces  "
    assert client.post("/register", data=_form(password=spaced, confirm=spaced)).status_code == 302
    client.post("/logout")
    trimmed = client.post(
        "/login", data={"email": "new.person@example.com", "password": spaced.strip()}
    )
    assert trimmed.status_code == 200
    exact = client.post("/login", data={"email": "new.person@example.com", "password": spaced})
    assert exact.status_code == 302

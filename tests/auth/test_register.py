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
    assert user.role == Role.CANDIDATE
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


def test_a_taken_email_gets_the_new_address_answer_and_its_owner_an_email(app, make_user) -> None:
    """Sign-up must not tell a stranger which e-mails have accounts (issue 14)."""
    owner = make_user(Role.CLINIC, email="taken@example.com")
    for account_type, extra in (
        ("candidate", {}),
        ("clinic", {"clinic_name": "X Clinic", "zip_code": "02139"}),
    ):
        new_client, taken_client = app.test_client(), app.test_client()
        fresh = new_client.post(
            "/register",
            data=_form(
                account_type=account_type, email=f"fresh-{account_type}@example.com", **extra
            ),
        )
        taken = taken_client.post(
            "/register",
            data=_form(account_type=account_type, email="Taken@Example.com", **extra),
        )
        assert taken.status_code == fresh.status_code == 302
        assert taken.headers["Location"] == fresh.headers["Location"]
        assert taken.get_data() == fresh.get_data()
        with taken_client.session_transaction() as sess, new_client.session_transaction() as new:
            assert sess["_flashes"] == new["_flashes"]
            assert "_user_id" not in sess  # and the stranger is not logged in to the account
    users = db.session.execute(db.select(User).where(User.email == "taken@example.com")).all()
    assert len(users) == 1 and users[0][0].password_hash == owner.password_hash
    # The owner hears about it, once an hour however often it is tried.
    told = [
        m
        for m in db.session.execute(db.select(OutboxMessage)).scalars()
        if m.payload.get("template") == "signup_existing_account"
    ]
    assert len(told) == 1 and told[0].payload["to"] == "taken@example.com"
    assert told[0].payload["context"]["forgot_url"].endswith("/forgot")


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

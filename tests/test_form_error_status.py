"""Every form re-shown with its errors answers the same status, whoever's form it is."""

from __future__ import annotations

from typing import Any

from agency.forms import FORM_ERROR_STATUS
from agency.models import Role


def test_candidate_clinic_and_staff_forms_with_errors_answer_alike(
    client: Any,
    make_candidate: Any,
    make_clinic: Any,
    make_user: Any,
    make_opening: Any,
    make_application: Any,
    login_as: Any,
    taxonomy: Any,
) -> None:
    answers: dict[str, int] = {}
    candidate = make_candidate()
    login_as(candidate.user)
    answers["candidate profile"] = client.post("/me/profile", data={"zip_code": "abc"}).status_code
    client.post("/logout")

    clinic = make_clinic()
    login_as(clinic.members[0])
    answers["clinic profile"] = client.post("/clinic/profile", data={"name": ""}).status_code
    client.post("/logout")

    staff = make_user(Role.STAFF)
    application = make_application(candidate, make_opening(clinic), stage="submitted")
    login_as(staff)
    base = f"/staff/applications/{application.id}"
    answers["stage move refused"] = client.post(
        f"{base}/move", data={"to_stage": "placed"}
    ).status_code
    answers["empty note"] = client.post(f"{base}/notes", data={}).status_code
    answers["bad search"] = client.get("/staff/candidates?radius=far").status_code
    assert set(answers.values()) == {FORM_ERROR_STATUS}, answers
    assert FORM_ERROR_STATUS == 200

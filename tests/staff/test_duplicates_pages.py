"""Staff see likely duplicates side by side and merge or dismiss them from the page."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import AuditEvent, Candidate, DuplicateFlag, DuplicateStatus
from agency.services import duplicates


@pytest.fixture
def pair(make_candidate: Any) -> DuplicateFlag:
    make_candidate(first_name="Ann", last_name="Lee", phone="(617) 555-0123", zip_code="02139")
    second = make_candidate(first_name="Anne", last_name="Lee", phone="(617) 555-0123")
    (flag,) = duplicates.flag(second)
    db.session.commit()
    return flag


def test_the_list_and_the_comparison_show_both_records_and_why(
    client: Any, staff: Any, pair: DuplicateFlag
) -> None:
    page = client.get("/staff/duplicates").get_data(as_text=True)
    assert "Ann Lee and Anne Lee" in page and "Same phone" in page
    page = client.get(f"/staff/duplicates/{pair.id}").get_data(as_text=True)
    assert "Is this one person?" in page and "same phone" in page
    assert page.count("(617) 555-0123") == 2 and page.count("Keep this record") == 2
    # Looking at two people's files is part of "who saw what".
    viewed = db.session.execute(
        db.select(AuditEvent.candidate_id).where(AuditEvent.action == "candidate_viewed")
    ).scalars()
    assert sorted(viewed) == [pair.candidate_id, pair.other_id]


def test_merging_from_the_page_keeps_the_chosen_record(
    client: Any, staff: Any, pair: DuplicateFlag
) -> None:
    keep_id, drop_id, pair_id = pair.other_id, pair.candidate_id, pair.id
    response = client.post(f"/staff/duplicates/{pair_id}/merge", data={"keep": str(keep_id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/candidates/{keep_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ann Lee&#39;s record was merged into this one." in page
    db.session.expire_all()
    assert db.session.get(Candidate, drop_id) is None
    assert client.get(f"/staff/duplicates/{pair_id}").status_code == 404


@pytest.mark.parametrize("keep", ["", "abc", "99999999999999999999999", "1.5"])
def test_a_wrong_choice_changes_nothing(
    client: Any, staff: Any, pair: DuplicateFlag, keep: str
) -> None:
    response = client.post(f"/staff/duplicates/{pair.id}/merge", data={"keep": keep})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose which record to keep." in page
    db.session.expire_all()
    assert db.session.get(Candidate, pair.candidate_id) and db.session.get(Candidate, pair.other_id)


def test_dismissing_keeps_both_records(client: Any, staff: Any, pair: DuplicateFlag) -> None:
    response = client.post(f"/staff/duplicates/{pair.id}/dismiss")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DuplicateFlag, pair.id).status == DuplicateStatus.DISMISSED
    assert "No likely duplicates" in client.get("/staff/duplicates").get_data(as_text=True)
    assert client.post(f"/staff/duplicates/{pair.id}/dismiss").status_code == 404


def test_a_profile_save_flags_a_likely_duplicate(
    client: Any, make_candidate: Any, make_user: Any, login_as: Any, taxonomy: Any
) -> None:
    from agency.models import Role

    make_candidate(first_name="Rosa", last_name="Diaz", phone="(617) 555-0188")
    user = make_user(Role.CANDIDATE)
    make_candidate(user=user, first_name="Rosa", last_name="Diaz", phone="")
    login_as(user)
    form = {
        "first_name": "Rosa", "last_name": "Diaz", "phone": "617-555-0188", "zip_code": "02139",
        "commute_miles": "15", "desired_roles": "receptionist", "years_experience": "2",
    }  # fmt: skip
    response = client.post("/me/profile", data=form)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    (flag,) = duplicates.open_flags()
    assert duplicates.SAME_PHONE in flag.reasons

"""A credential counts only while it is valid, today and at the start: the placement gate, the
engine bridge, the queue of credentials waiting for a check, and verifying where the gate stops."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Credential, Role, Stage, VerificationStatus
from agency.services import pipeline
from agency.services.engine import engine
from tests.conftest import login
from tests.staff.conftest import require_credential

TODAY = date.today()


@pytest.fixture
def offered(make_user: Any, make_opening: Any, make_candidate: Any, taxonomy: Any) -> Any:
    """An offer for an opening that started three weeks ago and needs HIPAA training."""

    def _offered(**credential: Any) -> Any:
        staff = make_user(Role.STAFF)
        opening = make_opening(title="Records Secretary", start_date=TODAY - timedelta(days=21))
        require_credential(opening, "HIPAA")
        person = make_candidate(first_name="Hana", last_name="Holder")
        if credential:
            from tests.factories import CredentialFactory

            CredentialFactory()(person, "HIPAA", **credential)
        application = pipeline.source(person, opening, staff)
        # Staff saw the engine's warning and confirmed the submission.
        for stage in (Stage.SUBMITTED, Stage.OFFERED):
            pipeline.move(application, stage, staff, confirm_ineligible=True)
        db.session.commit()
        db.session.expire_all()
        return staff, application

    return _offered


def test_an_expired_credential_does_not_count_again_once_the_start_has_passed(
    offered: Any,
) -> None:
    # Valid on the start date, expired last week: the placement must be refused.
    lapsed = TODAY - timedelta(days=7)
    staff, application = offered(expires_on=lapsed)
    assert pipeline.placement_problems(application.candidate, application.opening) == [
        f"HIPAA expired {lapsed.isoformat()}"
    ]
    with pytest.raises(pipeline.PipelineError, match=f"HIPAA expired {lapsed.isoformat()}"):
        pipeline.move(application, Stage.PLACED, staff)
    db.session.rollback()
    # The engine agrees: not eligible, in the same words.
    expl = engine().explain(application.candidate, application.opening)
    assert not expl.eligible
    assert expl.failed_constraints == [f"HIPAA expired {lapsed.isoformat()}"]


def test_a_credential_expiring_before_the_start_is_refused_in_words(
    make_user: Any, make_opening: Any, make_candidate: Any, make_credential: Any, taxonomy: Any
) -> None:
    start = TODAY + timedelta(days=21)
    opening = make_opening(start_date=start)
    require_credential(opening, "CPC")
    person = make_candidate()
    ends = TODAY + timedelta(days=10)
    make_credential(person, "CPC", expires_on=ends)
    expected = f"CPC expires {ends.isoformat()}, before the {start.isoformat()} start"
    assert pipeline.placement_problems(person, opening) == [expected]
    assert engine().explain(person, opening).failed_constraints == [expected]


def test_the_application_page_offers_the_check_the_gate_waits_for(
    client: Any, login_as: Any, offered: Any
) -> None:
    staff, application = offered(verification_status=VerificationStatus.PENDING)
    login_as(staff)
    url = f"/staff/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert "HIPAA is not verified yet" in page
    [credential] = db.session.execute(db.select(Credential)).scalars().all()
    action = f"/staff/credentials/{credential.id}/verify"
    assert f'action="{action}"' in page and "Verify HIPAA" in page
    response = client.post(
        action, data={"outcome": "verified", "back": f"application-{application.id}"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.expire_all()
    assert db.session.get(Credential, credential.id).verification_status == "verified"
    after = client.get(url).get_data(as_text=True)
    assert "Placement not possible yet" not in after and "Verify HIPAA" not in after
    placed = client.post(f"{url}/move", data={"to_stage": "placed"})
    assert placed.status_code == 302


def test_a_back_link_never_leaves_our_pages(client: Any, login_as: Any, offered: Any) -> None:
    staff, _application = offered(verification_status=VerificationStatus.PENDING)
    login_as(staff)
    [credential] = db.session.execute(db.select(Credential)).scalars().all()
    for back in ("//evil.example/", "application-99999999999", "https://evil.example"):
        response = client.post(
            f"/staff/credentials/{credential.id}/verify", data={"outcome": "rejected", "back": back}
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/staff/candidates/{credential.candidate_id}")


def test_the_queue_lists_what_waits_and_verifies_in_place(
    client: Any,
    login_as: Any,
    make_user: Any,
    make_candidate: Any,
    make_credential: Any,
    taxonomy: Any,
) -> None:
    waiting = make_candidate(first_name="Wanda", last_name="Waiting")
    pending = make_credential(waiting, "BLS", verification_status="pending")
    done = make_candidate(first_name="Vera", last_name="Verified")
    make_credential(done, "CPC")
    login_as(make_user(Role.STAFF))
    page = client.get("/staff/credentials")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Wanda Waiting" in html and "Verify BLS" in html
    assert "Vera Verified" not in html
    response = client.post(
        f"/staff/credentials/{pending.id}/verify", data={"outcome": "verified", "back": "queue"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/credentials")
    assert "Wanda Waiting" not in client.get("/staff/credentials").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CLINIC])
def test_the_queue_is_for_staff_only(
    client: Any, make_user: Any, make_clinic: Any, role: Role
) -> None:
    assert client.get("/staff/credentials").status_code == 302  # to the login page
    user = make_user(
        role, clinic_id=make_clinic(with_member=False).id if role == Role.CLINIC else None
    )
    assert login(client, user.email).status_code == 302
    assert client.get("/staff/credentials").status_code == 403

"""Staff review an opening in the browser: read a breakdown, shortlist two, submit one; the clinic
sees exactly that one. A placement with an expired credential is refused with the reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import Application, CredentialType, OpeningCredential, Role
from tests.e2e.browser import log_in


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def _setup(
    taxonomy, make_clinic, make_opening, make_candidate, make_credential, make_application
) -> dict[str, Any]:
    clinic = make_clinic(name="Harbor Family Medicine")
    opening = make_opening(clinic=clinic, title="Front Desk Receptionist")
    cpc = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    db.session.add(OpeningCredential(opening_id=opening.id, credential_type_id=cpc.id))
    db.session.commit()
    people = {}
    for first in ("Alma", "Bruno", "Chiara"):
        person = make_candidate(first_name=first, last_name="Quinn")
        make_credential(person, "CPC")
        people[first] = person
    lapsed = make_candidate(first_name="Dario", last_name="Lapse")
    make_credential(
        lapsed,
        "CPC",
        expires_on=opening.start_date - timedelta(days=2),
        issued_on=date.today() - timedelta(days=700),
    )
    offered = make_application(lapsed, opening, stage="offered", source="sourced")
    return {
        "clinic": clinic,
        "opening": opening,
        "people": people,
        "offered": offered,
        "lapsed": lapsed,
    }


def test_staff_shortlist_submit_and_clinic_sees_only_the_submitted(
    page: Any,
    shot: Any,
    make_user,
    taxonomy,
    make_clinic,
    make_opening,
    make_candidate,
    make_credential,
    make_application,
) -> None:
    s = _setup(
        taxonomy, make_clinic, make_opening, make_candidate, make_credential, make_application
    )
    staff = make_user(Role.STAFF)
    alma, bruno = s["people"]["Alma"], s["people"]["Bruno"]
    log_in(page, staff.email)
    page.wait_for_url("**/staff/")
    shot("dashboard")
    page.goto(f"/staff/openings/{s['opening'].id}")
    assert "Front Desk Receptionist" in page.locator("h1").inner_text()

    row = page.locator(f"tr[data-candidate='{alma.id}']")
    row.locator("summary").click()
    breakdown = row.locator("details.breakdown")
    # The breakdown is fetched when it is opened.
    breakdown.locator("dl.components meter").first.wait_for()
    assert breakdown.locator("meter").count() >= 5
    assert breakdown.get_by_text("Strengths").is_visible()
    lapsed_row = page.locator(f"tr[data-candidate='{s['lapsed'].id}']")
    assert "CPC expires" in lapsed_row.inner_text()
    shot("breakdown")

    page.get_by_label(f"Select {alma.full_name}").check()
    page.get_by_label(f"Select {bruno.full_name}").check()
    page.get_by_label("Action").select_option("shortlist")
    page.get_by_role("button", name="Apply to selected").click()
    page.get_by_text("2 candidates shortlisted.").wait_for()
    shot("shortlisted")

    page.get_by_role("button", name=f"Submit {alma.full_name} to the clinic").click()
    page.get_by_text("1 candidate submitted to the clinic.").wait_for()
    assert "Submitted" in page.locator(f"tr[data-candidate='{alma.id}']").inner_text()
    assert "Shortlisted" in page.locator(f"tr[data-candidate='{bruno.id}']").inner_text()
    shot("submitted")

    page.goto(f"/staff/openings/{s['opening'].id}?blind=y")
    assert alma.full_name not in page.content()
    assert page.get_by_text(f"Candidate #{alma.id}").first.is_visible()
    shot("blind-review")
    _logout(page)

    log_in(page, s["clinic"].members[0].email)
    page.wait_for_url("**/clinic/")
    body = page.locator("main").inner_text()
    assert "Alma Q." in body
    assert "Bruno" not in body and "Chiara" not in body
    shot("clinic-sees-one")


def test_placement_refused_for_an_expired_credential(
    page: Any,
    shot: Any,
    make_user,
    taxonomy,
    make_clinic,
    make_opening,
    make_candidate,
    make_credential,
    make_application,
) -> None:
    s = _setup(
        taxonomy, make_clinic, make_opening, make_candidate, make_credential, make_application
    )
    staff = make_user(Role.STAFF)
    log_in(page, staff.email)
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/applications/{s['offered'].id}")
    assert page.get_by_text("Placement not possible yet").is_visible()
    page.get_by_label("Move to").select_option("placed")
    page.get_by_role("button", name="Move").click()
    expires = (s["opening"].start_date - timedelta(days=2)).isoformat()
    page.get_by_text(f"Cannot place: CPC expires {expires}").wait_for()
    shot("placement-refused")
    db.session.expire_all()
    assert db.session.get(Application, s["offered"].id).stage == "offered"

"""Staff keep a talent pool in the browser: create it, add two candidates from the search
results at once, open the pool and rank it against an opening in one click."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import CredentialType, OpeningCredential, Role
from tests.e2e.browser import log_in


def test_staff_fill_a_pool_from_the_search_and_rank_it(
    page: Any,
    shot: Any,
    make_user,
    taxonomy,
    make_clinic,
    make_opening,
    make_candidate,
    make_credential,
) -> None:
    clinic = make_clinic(name="Harbor Family Medicine")
    opening = make_opening(clinic=clinic, title="Front Desk Receptionist")
    cpc = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    db.session.add(OpeningCredential(opening_id=opening.id, credential_type_id=cpc.id))
    db.session.commit()
    holder = make_candidate(first_name="Alma", last_name="Quinn")
    make_credential(holder, "CPC")
    lacking = make_candidate(first_name="Bruno", last_name="Quinn")  # no CPC: not eligible
    make_candidate(first_name="Chiara", last_name="Outside")
    staff = make_user(Role.STAFF)

    log_in(page, staff.email)
    page.wait_for_url("**/staff/")

    page.goto("/staff/pools")
    page.get_by_label("Pool name").fill("Front-desk temps, Boston")
    page.get_by_role("button", name="Create pool").click()
    page.get_by_text("Pool “Front-desk temps, Boston” created.").wait_for()

    page.goto("/staff/candidates?q=Quinn")
    # Each checkbox is named by the candidate beside it.
    page.get_by_role("checkbox", name=f"Select {holder.full_name}").check()
    page.get_by_role("checkbox", name=f"Select {lacking.full_name}").check()
    page.get_by_label("Add to the pool").select_option(label="Front-desk temps, Boston")
    page.get_by_role("button", name="Add to pool").click()
    page.get_by_text("2 added to “Front-desk temps, Boston”.").wait_for()
    assert "q=Quinn" in page.url  # back on the same results
    shot("added-to-pool")

    page.get_by_role("link", name="Talent pools").first.click()
    page.get_by_role("link", name="Front-desk temps, Boston").click()
    main = page.locator("main").inner_text()
    assert holder.full_name in main and lacking.full_name in main and "Chiara" not in main
    page.get_by_label("Rank against the opening").select_option(str(opening.id))
    page.get_by_role("button", name="Rank").click()
    page.wait_for_url(f"**/staff/pools/*/openings/{opening.id}")
    rows = page.locator("tr[data-candidate]")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-candidate") == str(holder.id)
    assert "not eligible" in rows.nth(1).inner_text()
    assert "CPC" in rows.nth(1).inner_text()
    shot("pool-ranked")

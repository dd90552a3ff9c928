"""A clinic signs up, is approved, posts an opening by pasting its job description, and later
reviews the one candidate the agency submitted (and only that one)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from agency.extensions import db
from agency.models import Clinic, Opening, OutboxMessage, Role
from agency.services import notifications, pipeline

JOB_DESCRIPTION = """Medical Secretary

Our busy cardiology practice is looking for a medical secretary to manage medical records,
transcribe dictation and handle correspondence with referring physicians. You will code visits
with ICD-10 and CPT and keep everything HIPAA compliant. CPC certification required.
Epic experience preferred. Bilingual English/Spanish a plus. Typing 60 wpm."""


def test_clinic_signs_up_posts_by_paste_and_reviews_its_submitted_candidate(
    page: Any, shot: Any, taxonomy: Any, make_user: Any, make_candidate: Any
) -> None:
    # 1. Sign up as a clinic: it starts unapproved, with a clear waiting state.
    page.goto("/register?as=clinic")
    page.get_by_label("A clinic looking for staff").check()
    page.get_by_label("E-mail").fill("office@harborcardiology.example")
    page.get_by_label("Clinic name").fill("Harbor Cardiology")
    page.get_by_label("Clinic ZIP code").fill("02139")
    page.get_by_label("Clinic phone").fill("617 555 0100")
    page.locator("#password").fill("a long and careful passphrase")
    page.get_by_label("Repeat password").fill("a long and careful passphrase")
    page.get_by_label("I agree to the terms").check()
    shot("sign-up")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    shot("waiting-for-approval")

    # 2. Staff approve the clinic (the staff pages are another area; use the service layer).
    clinic = db.session.execute(
        db.select(Clinic).where(Clinic.name == "Harbor Cardiology")
    ).scalar_one()
    clinic.approved = True
    notifications.clinic_approved(clinic)
    db.session.commit()

    # 3. Post an opening through "Paste your job description": paste, check, save.
    page.reload()
    page.get_by_role("link", name="Post an opening").first.click()
    page.get_by_role("textbox", name="Your job description").fill(JOB_DESCRIPTION)
    shot("paste-description")
    page.get_by_role("button", name="Fill the form from it").click()
    expect(page.get_by_text("We filled the form from your description")).to_be_visible()
    assert page.get_by_label("Job title").input_value() == "Medical Secretary"
    assert page.get_by_label("Medical secretary (back office)").is_checked()
    assert page.get_by_label("CPC: Certified Professional Coder").is_checked()
    assert page.get_by_label("Epic", exact=True).is_checked()
    assert page.get_by_label("Minimum typing speed (words a minute)").input_value() == "60"
    shot("prefilled-form")
    start = date.today() + timedelta(days=21)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Pay from ($ an hour)").fill("21")
    page.get_by_label("Pay up to ($ an hour)").fill("26")
    page.get_by_label("Saturday morning").check()
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/clinic/openings/*")
    expect(page.get_by_text("Your opening is published")).to_be_visible()
    expect(page.get_by_role("heading", name="Medical Secretary", exact=True)).to_be_visible()
    shot("opening-published")
    opening = db.session.execute(db.select(Opening)).scalar_one()
    assert opening.status == "open" and opening.role_type == "secretary"
    assert opening.shift_mask & (1 << 15)
    kinds = set(db.session.execute(db.select(OutboxMessage.kind)).scalars())
    assert {"rescore_opening", "notify_staff"} <= kinds

    # The job board lists it, with its public page.
    page.goto("/jobs?q=cardiology")
    expect(page.get_by_role("link", name="Medical Secretary")).to_be_visible()
    shot("job-board")
    page.get_by_role("link", name="Medical Secretary").click()
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    expect(page.get_by_text("Certified Professional Coder (CPC)")).to_be_visible()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    shot("job-detail")

    # 4. Later the agency submits one candidate; another is only in its own shortlist.
    staff = make_user(Role.STAFF)
    chosen = make_candidate(first_name="Rosa", last_name="Mendez", typing_wpm=68)
    other = make_candidate(first_name="Greta", last_name="Olsen")
    application = pipeline.source(chosen, opening, staff)
    # Rosa holds no CPC yet: staff read the engine's warning and submit her anyway.
    pipeline.move(application, "submitted", staff, confirm_ineligible=True)
    pipeline.source(other, opening, staff)
    db.session.commit()

    page.goto("/clinic/")
    expect(page.get_by_role("link", name="Rosa M.")).to_be_visible()
    expect(page.get_by_text("Greta")).to_have_count(0)
    shot("dashboard-with-candidate")
    page.get_by_role("link", name="Rosa M.").click()
    card = page.locator(f"#app-{application.id}")
    expect(card.get_by_role("heading", name="Rosa M.")).to_be_visible()
    expect(card.get_by_text("years · types 68 wpm")).to_be_visible()
    expect(page.get_by_text("Greta")).to_have_count(0)
    expect(page.get_by_text("Mendez")).to_have_count(0)
    shot("submitted-candidate")
    card.get_by_role("button", name="Invite to interview").click()
    expect(page.get_by_text("Rosa M. is invited to interview")).to_be_visible()
    shot("invited-to-interview")

    # At phone width the dashboard still reads well.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/clinic/")
    shot("dashboard-phone")

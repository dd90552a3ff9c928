"""A candidate signs up, completes the profile, uploads a resume, confirms the suggested skills
and applies, in the real browser; a screenshot of each step lands in tests/e2e/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from agency.extensions import db
from agency.models import Application, Candidate, OutboxMessage
from tests.candidates.files import RESUME_TEXT, make_pdf

PASSWORD = "a long and memorable sentence"


def test_candidate_journey(
    page: Any, shot: Any, taxonomy: Any, make_opening: Any, tmp_path: Path
) -> None:
    opening = make_opening(title="Front Desk Medical Receptionist")

    # 1. Sign up.
    page.goto("/register")
    page.get_by_label("E-mail").fill("ana.silva@example.com")
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Silva")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.get_by_label("I agree to the terms").check()
    shot("signup")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/me")
    assert "Hello, Ana" in page.locator("h1").inner_text()
    assert "Profile 0% complete" in page.content()
    shot("dashboard-new")

    # 2. The profile: contact, preferences, the week grid, systems and languages.
    page.get_by_role("link", name="Add your phone and ZIP code").click()
    page.wait_for_url("**/me/profile")
    page.get_by_label("Phone", exact=True).fill("617 555 0142")
    page.get_by_label("Home ZIP code").fill("02139")
    page.get_by_label("How far will you travel?").fill("15")
    page.get_by_label("Medical receptionist (front desk)").check()
    page.get_by_label("Minimum pay").fill("19.50")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"{day} morning").check()
        page.get_by_label(f"{day} afternoon").check()
    page.get_by_label("Years of experience").fill("3")
    page.get_by_label("English", exact=True).check()
    shot("profile-filled")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/me/skills")
    assert "Your profile is saved." in page.content()

    # 3. The resume (a real PDF with text), and the suggestions found in it.
    resume = tmp_path / "ana-silva-resume.pdf"
    resume.write_bytes(make_pdf(RESUME_TEXT))
    page.get_by_role("link", name="Or let your resume suggest them").click()
    page.wait_for_url("**/me/resume")
    page.get_by_label("Resume (PDF or Word .docx, at most 5 MB)").set_input_files(str(resume))
    page.get_by_role("button", name="Upload").click()
    # The upload answers on the same URL: wait for the new page's text, not the URL.
    expect(page.get_by_text("Check what we found in it below")).to_be_visible()
    shot("resume-suggestions")
    page.get_by_label("Select all skills").check()
    page.get_by_label("Epic", exact=True).check()
    page.get_by_label("Typing speed: 65 words per minute").check()
    page.get_by_role("button", name="Add the ticked items to my profile").click()
    page.wait_for_url("**/me/credentials")  # the next missing step
    assert "Added 9 items to your profile." in page.content()
    shot("after-confirming")

    db.session.expire_all()
    candidate = db.session.execute(db.select(Candidate)).scalar_one()
    assert {cs.skill.code for cs in candidate.skills} >= {"insurance_verification", "typing"}
    assert candidate.typing_wpm == 65 and "epic" in candidate.ehr_systems
    assert candidate.availability_mask == sum(1 << (d * 3 + b) for d in range(5) for b in (0, 1))

    # 4. Skills page reflects the confirmed levels; adjust one.
    page.get_by_role("link", name="Skills", exact=True).click()
    page.get_by_label("Appointment scheduling").select_option("3")
    shot("skills")
    page.get_by_role("button", name="Save skills").click()
    page.wait_for_url("**/me/credentials")

    # 5. Apply from the opening, with a note; the fit summary shows right away.
    page.goto(f"/me/apply/{opening.id}")
    page.get_by_label("Note to the agency").fill("I can start on Monday.")
    shot("apply")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url("**/me/applications/*")
    content = page.content()
    assert "Your application is sent." in content and "My fit with this opening" in content
    assert "fit" in page.locator(".fit-summary").inner_text()
    shot("applied-fit-summary")

    # 6. Applying twice is refused politely; the dashboard lists the application.
    page.goto(f"/me/apply/{opening.id}")
    assert "already applied" in page.content()
    page.goto("/me")
    assert "Front Desk Medical Receptionist" in page.locator(".app-list").inner_text()
    shot("dashboard-with-application")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/me/profile")
    shot("profile-phone-width")

    db.session.expire_all()
    [application] = db.session.execute(db.select(Application)).scalars().all()
    assert application.note == "I can start on Monday."
    kinds = {m.kind for m in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert {"rescore_candidate", "email", "notify_staff"} <= kinds

"""The public page of one opening: what it shows, what it hides, and its JobPosting data."""

from __future__ import annotations

import json
import re
from typing import Any

from agency.extensions import db
from agency.models import CredentialType, OpeningCredential, OpeningSkill, Role, Skill


def ld_json(page: str) -> dict[str, Any]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_detail_shows_requirements_schedule_and_area(
    client: Any, make_opening: Any, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic(address_line="12 Secret Lane", phone="(617) 555-0142")
    opening = make_opening(
        clinic,
        title="Medical secretary",
        role_type="secretary",
        shift_mask=0b111 | (1 << 15),  # Monday all day, Saturday morning
        languages=["spanish"],
        ehr_systems=["epic"],
        min_typing_wpm=55,
    )
    skill = db.session.execute(
        db.select(Skill).where(Skill.code == "medical_terminology")
    ).scalar_one()
    ctype = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    opening.skills.append(OpeningSkill(skill=skill, min_level=3, weight=1.0))
    opening.credentials.append(OpeningCredential(credential_type=ctype))
    db.session.commit()
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Medical terminology" in page and "Strong" in page
    assert "(CPC)" in page and "Spanish" in page and "Epic" in page and "55 words a minute" in page
    assert "Monday working" in page.replace(": ", " ").replace(" morning", "") or "Monday" in page
    assert "Saturday morning: working" in page and "Sunday morning: off" in page
    assert "Cambridge, MA" in page
    assert "12 Secret Lane" not in page and "555-0142" not in page
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert "Medical secretary" in title and "Cambridge" in title
    assert 'name="description" content="Medical secretary job at' in page


def test_private_contact_data_for_own_clinic_and_staff_only(
    client: Any,
    make_opening: Any,
    make_clinic: Any,
    make_user: Any,
    make_candidate: Any,
    login_as: Any,
) -> None:
    clinic = make_clinic(address_line="12 Secret Lane")
    opening = make_opening(clinic)
    other = make_clinic()
    for user, sees in (
        (make_candidate().user, False),
        (other.members[0], False),
        (clinic.members[0], True),
        (make_user(Role.STAFF), True),
    ):
        login_as(user)
        page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
        assert ("12 Secret Lane" in page) is sees, user
        client.post("/logout")


def test_job_posting_json_ld_parses_and_is_escaped(
    client: Any, make_opening: Any, make_clinic: Any
) -> None:
    clinic = make_clinic(name="Smith & Sons </script><script>alert(1)</script>")
    opening = make_opening(
        clinic, title='Front "desk" </script>', description="Greet <b>patients</b>"
    )
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    data = ld_json(page)
    assert data["@type"] == "JobPosting" and data["@context"] == "https://schema.org/"
    assert data["title"] == 'Front "desk" </script>'
    assert data["hiringOrganization"]["name"] == clinic.name
    assert data["description"] == "Greet <b>patients</b>"
    assert data["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "minValue": 18.0,
        "maxValue": 24.0,
        "unitText": "HOUR",
    }
    assert data["jobLocation"]["address"]["addressLocality"] == "Cambridge"
    assert "streetAddress" not in data["jobLocation"]["address"]
    assert data["employmentType"] == ["TEMPORARY", "FULL_TIME"]
    assert data["datePosted"] and data["url"].endswith(f"/jobs/{opening.id}")


def test_hidden_openings_are_not_found(
    client: Any, make_opening: Any, make_clinic: Any, login_as: Any
) -> None:
    draft = make_opening(status="draft")
    closed = make_opening(status="closed")
    unapproved = make_opening(make_clinic(approved=False))
    for opening_id in (draft.id, closed.id, unapproved.id, 999_999):
        assert client.get(f"/jobs/{opening_id}").status_code == 404
    assert client.get("/jobs/-1").status_code == 404
    assert client.get("/jobs/99999999999999999999999").status_code == 404
    # Another clinic cannot preview a draft either.
    login_as(make_clinic().members[0])
    assert client.get(f"/jobs/{draft.id}").status_code == 404


def test_anonymous_visitor_is_invited_to_sign_up(client: Any, make_opening: Any) -> None:
    opening = make_opening()
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Sign up to apply" in page and f"next=/jobs/{opening.id}" in page.replace("%2F", "/")


def test_a_pasted_front_desk_ad_lists_no_coding_chips(
    client: Any, make_opening: Any, taxonomy: Any
) -> None:
    from agency.services import openings

    ad = (
        "Front Desk Medical Receptionist\n\nGreet patients, answer phones and schedule "
        "appointments."
    )
    draft, _findings = openings.draft_from_text(ad)
    opening = make_opening(role_type=draft.role_type)
    skills = {s.code: s for s in db.session.execute(db.select(Skill)).scalars()}
    for code, (level, weight) in draft.skills.items():
        opening.skills.append(OpeningSkill(skill=skills[code], min_level=level, weight=weight))
    db.session.commit()
    # Skills the ad does not name keep the role's defaults (so the score still rewards them a
    # little), but the public page advertises only what the job is about.
    defaults = openings.load_taxonomy().default_requirements("receptionist")
    assert draft.role_type == "receptionist"
    assert draft.skills["cpt_coding"] == defaults["cpt_coding"]
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    nice = re.search(r"Nice to have</h3>\s*<ul class=\"chips\">(.*?)</ul>", page, re.S)
    chips = re.findall(r'<li class="chip chip-muted">([^<]+)</li>', nice.group(1)) if nice else []
    assert not any("coding" in c.lower() or "CPT" in c for c in chips), chips
    assert len(chips) < 5, chips

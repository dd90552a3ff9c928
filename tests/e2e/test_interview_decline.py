"""On a phone (390 px), a candidate opens "None of these times suits me", writes a note and
declines the proposed times; the page fits the screen and passes axe before and after."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import Interview, InterviewStatus
from tests.e2e.test_every_page import _check, audit_page, axe_source
from tests.factories import PASSWORD
from tests.interviews.conftest import Scene, propose, scene

__all__ = ["audit_page", "axe_source", "scene"]  # the fixtures, imported for pytest


def test_a_candidate_declines_the_times_on_a_phone(
    audit_page: Any, scene: Scene, axe_source: str
) -> None:
    page = audit_page  # a phone-sized page that may run axe
    interview = propose(scene)
    page.goto("/login")
    page.get_by_label("E-mail").fill(scene.candidate_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/me/interviews")
    page.get_by_text("None of these times suits me").click()
    page.get_by_label("Note (optional)").fill("Tuesdays after 3 pm suit me.")
    assert _check(page, "/me/interviews", axe_source) == []
    page.get_by_role("button", name="Decline these times").click()
    page.wait_for_url("**/me/interviews")
    assert "You declined the proposed times" in page.content()
    assert _check(page, "/me/interviews", axe_source) == []
    db.session.expire_all()
    found = db.session.get(Interview, interview.id)
    assert found is not None and found.status == InterviewStatus.DECLINED
    assert found.decline_note == "Tuesdays after 3 pm suit me."

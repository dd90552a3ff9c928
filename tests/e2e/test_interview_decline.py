"""On a phone (390 px), a candidate opens "None of these times suits me", writes a note and
declines the proposed times; the page fits the screen and passes axe before and after."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from agency.extensions import db
from agency.models import Interview, InterviewStatus
from tests.e2e.browser import log_in
from tests.e2e.test_every_page import _check, audit_page, axe_source
from tests.interviews.conftest import Scene, propose, scene

__all__ = ["audit_page", "axe_source", "scene"]  # the fixtures, imported for pytest


def test_a_candidate_declines_the_times_on_a_phone(
    audit_page: Any, scene: Scene, axe_source: str
) -> None:
    page = audit_page  # a phone-sized page that may run axe
    interview = propose(scene)
    log_in(page, scene.candidate_user.email)
    page.goto("/me/interviews")
    page.get_by_text("None of these times suits me").click()
    page.get_by_label("Note (optional)").fill("Tuesdays after 3 pm suit me.")
    assert _check(page, "/me/interviews", axe_source) == []
    page.get_by_role("button", name="Decline these times").click()
    # The answer comes back on the same URL: wait for its text, not the URL.
    expect(page.get_by_text("You declined the proposed times")).to_be_visible()
    assert _check(page, "/me/interviews", axe_source) == []
    db.session.expire_all()
    found = db.session.get(Interview, interview.id)
    assert found is not None and found.status == InterviewStatus.DECLINED
    assert found.decline_note == "Tuesdays after 3 pm suit me."

"""Without a mouse: Tab reaches every control with a visible focus ring, a review row's score
breakdown opens with Enter, the availability grid is ticked with Space, and on a phone the
candidate's tab bar scrolls with a cue and its current tab in view."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import Candidate, Opening, User
from agency.services import demo
from tests.e2e.demo_site import demo_site, log_in

__all__ = ["demo_site"]  # the fixture, imported for pytest

# Every visible control gets a number; a radio group is one Tab stop, as in every browser.
MARK_CONTROLS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex="0"]';
  const keys = new Set();
  let n = 0;
  for (const el of document.querySelectorAll(sel)) {
    // checkVisibility: not display:none, not hidden, not inside a closed <details>.
    if (el.disabled || !el.checkVisibility({visibilityProperty: true})) continue;
    const key = el.type === 'radio' ? 'radio:' + el.name : String(n++);
    el.dataset.kb = key;
    keys.add(key);
  }
  return [...keys];
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = e => {
    const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
      || s.boxShadow !== 'none';
  };
  const cell = el.closest('td');
  const visible = ring(el) || (cell !== null && ring(cell));
  const key = el.type === 'radio' ? 'radio:' + el.name : el.dataset.kb;
  return [key || null, visible, el.outerHTML.slice(0, 120)];
}"""


def _tab_through(page: Any) -> tuple[set[str], list[str]]:
    controls = set(page.evaluate(MARK_CONTROLS))
    reached: set[str] = set()
    no_ring: list[str] = []
    for _ in range(len(controls) + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        key, visible, html = focused
        if key is not None:
            reached.add(key)
        if not visible:
            no_ring.append(html)
    return controls - reached, no_ring


@pytest.fixture
def open_opening_id(demo_site: dict[str, str]) -> int:
    return (
        db.session.execute(
            db.select(Opening.id).where(Opening.status == "open").order_by(Opening.id)
        )
        .scalars()
        .first()
    )


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("candidate", "/me/profile"),
        ("clinic", "/clinic/openings/new"),
        ("staff", "/staff/openings/{opening}?k=5"),
    ],
)
def test_tab_reaches_every_control_with_a_visible_focus_ring(
    page: Any, open_opening_id: int, role: str, path: str
) -> None:
    log_in(page, role)
    page.goto(path.format(opening=open_opening_id))
    missed, no_ring = _tab_through(page)
    assert not missed, f"Tab never reached controls {sorted(missed)} on {path}"
    assert not no_ring, f"focus is invisible on {no_ring}"


def test_breakdown_opens_from_the_keyboard(page: Any, open_opening_id: int) -> None:
    log_in(page, "staff")
    page.goto(f"/staff/openings/{open_opening_id}?k=5")
    summary = page.locator(".breakdown summary").first
    summary.focus()
    page.keyboard.press("Enter")
    body = page.locator(".breakdown").first.locator(".breakdown-body")
    body.locator("dl.components").wait_for()
    assert "Strengths" in body.inner_text()
    page.keyboard.press("Enter")  # and closes again
    assert not page.locator(".breakdown").first.evaluate("d => d.open")


def test_availability_grid_is_ticked_with_the_keyboard(
    page: Any, demo_site: dict[str, str]
) -> None:
    log_in(page, "candidate")
    page.goto("/me/profile")
    for box in page.locator("#availability input[type=checkbox]").all():
        if box.is_checked():
            box.focus()
            page.keyboard.press("Space")
    page.get_by_label("Saturday morning").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the next cell along the row: Sunday morning
    assert page.evaluate("document.activeElement.value") == str(6 * 3)
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save profile").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/me/profile"))  # on to the next step
    assert "Your profile is saved." in page.content()

    db.session.expire_all()
    user = db.session.execute(
        db.select(User).where(User.email == demo.CANDIDATE_EMAIL)
    ).scalar_one()
    candidate = db.session.execute(
        db.select(Candidate).where(Candidate.user_id == user.id)
    ).scalar_one()
    assert candidate.availability_mask == (1 << 15) | (1 << 18)


def test_candidate_tab_bar_scrolls_on_a_phone_with_the_current_tab_in_view(
    page: Any, demo_site: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "candidate")
    page.goto("/me/credentials")  # the fourth of six tabs: cut off before the fix
    nav = page.locator("nav.subnav")
    scroll_width, client_width = nav.evaluate("n => [n.scrollWidth, n.clientWidth]")
    assert scroll_width > client_width  # six tabs do not fit 390 px: the bar scrolls...
    cue = nav.evaluate("n => getComputedStyle(n).backgroundImage")
    assert cue.count("gradient") == 4  # ...and an edge shadow says there is more
    current = page.locator('nav.subnav [aria-current="page"]')
    box, tab = nav.bounding_box(), current.bounding_box()
    assert current.inner_text() == "Credentials"
    assert tab["x"] >= box["x"] and tab["x"] + tab["width"] <= box["x"] + box["width"] + 0.5
    assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]") == [390, 390]


def test_staff_sections_are_one_scrolling_row_on_a_phone(
    page: Any, demo_site: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "staff")
    page.goto("/staff/mail")  # the last section a recruiter has
    nav = page.locator("nav.staff-nav")
    scroll_width, client_width, height = nav.evaluate(
        "n => [n.scrollWidth, n.clientWidth, n.getBoundingClientRect().height]"
    )
    assert scroll_width > client_width  # one row that scrolls sideways...
    assert height < 60  # ...not a screenful of links above the page
    assert nav.evaluate("n => getComputedStyle(n).backgroundImage").count("gradient") == 4
    current = page.locator('nav.staff-nav [aria-current="page"]')
    box, link = nav.bounding_box(), current.bounding_box()
    assert current.inner_text() == "Sent mail"
    assert link["x"] >= box["x"] and link["x"] + link["width"] <= box["x"] + box["width"] + 0.5
    assert page.get_by_role("heading", level=1).bounding_box()["y"] < 844 / 2
    assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]") == [390, 390]
    # On a desktop the sections wrap onto lines as before: nothing to scroll.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")


def test_words_typed_in_a_number_field_come_back_with_their_error(
    page: Any, demo_site: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "candidate")
    page.goto("/me/profile")
    typing = page.locator("#typing_wpm")
    # A text box with the phone's number keyboard: a number input would send "60 wpm" as
    # nothing, and an optional field would be saved empty without a word.
    assert (typing.get_attribute("type"), typing.get_attribute("inputmode")) == ("text", "numeric")
    typing.fill("60 wpm")
    page.get_by_role("button", name="Save profile").click()
    page.locator("#typing_wpm-error").wait_for()
    assert "Not a valid integer value" in page.locator("#typing_wpm-error").inner_text()
    assert page.locator("#typing_wpm").input_value() == "60 wpm"  # kept as typed
    assert page.url.endswith("/me/profile")  # nothing saved, nowhere else to go

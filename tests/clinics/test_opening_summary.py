"""The clinic's own opening page sums up everything the opening asks for."""

from __future__ import annotations

from typing import Any


def test_summary_shows_languages_typing_and_the_description(
    client: Any, make_clinic: Any, make_opening: Any, login_as: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    opening = make_opening(
        clinic,
        languages=["spanish"],
        min_typing_wpm=55,
        description="Greet patients at the front desk.\r\n\r\nVerify insurance before visits.",
    )
    login_as(clinic.members[0])
    page = client.get(f"/clinic/openings/{opening.id}").get_data(as_text=True)
    summary = page[
        page.index('id="summary-title"') : page.index("</section>", page.index("summary-title"))
    ]
    assert "<dt>Languages</dt><dd>Spanish</dd>" in summary
    assert "At least 55 words a minute" in summary
    assert "<p>Greet patients at the front desk.</p>" in summary
    assert "<p>Verify insurance before visits.</p>" in summary

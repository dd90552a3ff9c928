"""The fit a candidate reads names credentials as their owners write them (CPC, not "cpc")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.staff.conftest import require_credential


def test_credential_codes_keep_their_capitals(
    client: Any, signed_in: Any, make_opening: Any, make_credential: Any, make_application: Any
) -> None:
    opening = make_opening(start_date=date.today() + timedelta(days=30))
    require_credential(opening, "CPC")
    lapsed = date.today() - timedelta(days=3)
    make_credential(signed_in, "CPC", expires_on=lapsed)
    application = make_application(signed_in, opening)
    page = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert f"Not eligible: CPC expired {lapsed.isoformat()}" in page
    assert "cpc expired" not in page

"""Staff read history times in the agency's time zone (AGENCY_TIMEZONE), not in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agency import create_app
from agency.extensions import db
from agency.models import StageChange
from agency.timezones import agency_time


def test_history_shows_the_agency_zone(
    client: Any, staff: Any, make_candidate: Any, make_opening: Any, make_application: Any
) -> None:
    application = make_application(make_candidate(), make_opening(), stage="applied")
    change = db.session.execute(db.select(StageChange)).scalar_one()
    change.created_at = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)  # noon in Boston (EDT)
    db.session.commit()
    page = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "2026-07-01 12:05 EDT" in page
    assert "16:05" not in page and "UTC" not in page


def test_zone_is_a_setting(app: Any) -> None:
    winter = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    with app.test_request_context():
        assert agency_time(winter) == "2026-01-15 04:30 EST"
        app.config["AGENCY_TIMEZONE"] = "America/Los_Angeles"
        assert agency_time(winter) == "2026-01-15 01:30 PST"


def test_an_unknown_zone_stops_the_start(app_config: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a known time zone"):
        create_app({**app_config, "AGENCY_TIMEZONE": "Mars/Olympus"})

"""Pasting an ad also fills pay, employment type and schedule; preferred languages stay optional."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from agency.services import openings

AD = (
    "Front Desk Medical Receptionist\n\n"
    "Busy family practice seeks a receptionist to greet patients, answer phones and schedule "
    "appointments. Temp-to-hire. Monday-Friday 8am-4:30pm. Pay $18-$22 per hour. "
    "Spanish preferred."
)


@pytest.fixture
def clinic_user(make_clinic: Any, login_as: Any, taxonomy: Any) -> Any:
    clinic = make_clinic()
    login_as(clinic.members[0])
    return clinic.members[0]


def test_the_draft_takes_pay_employment_schedule_and_only_required_languages(app: Any) -> None:
    draft, findings = openings.draft_from_text(AD)
    assert (draft.pay_min, draft.pay_max) == (Decimal("18.00"), Decimal("22.00"))
    assert draft.employment_type == "temp_to_hire"
    assert openings.schedule_summary(draft.shift_mask) == "Mon-Fri morning and afternoon"
    assert draft.languages == ["english"]  # Spanish is a preference, not a requirement
    assert findings.preferred_languages == ["Spanish"]
    assert findings.pay == "$18-$22 an hour"


def test_a_salary_is_filled_in_as_an_hourly_rate(app: Any) -> None:
    draft, findings = openings.draft_from_text(
        AD.replace("Pay $18-$22 per hour", "Salary $41,600 a year").replace(
            "Spanish preferred", "Spanish required"
        )
    )
    assert (draft.pay_min, draft.pay_max) == (Decimal("20.00"), Decimal("20.00"))
    assert draft.languages == ["english", "spanish"]
    assert findings.pay == "$41,600 a year"


def test_the_paste_page_shows_what_it_read(client: Any, clinic_user: Any) -> None:
    page = client.post("/clinic/openings/new/paste", data={"text": AD}).get_data(as_text=True)
    assert "Preferred, not required" in page and "Spanish" in page
    assert 'value="18.00"' in page and 'value="22.00"' in page
    assert "temp to hire" in page

"""Reading the terms a job ad states: pay and its unit, employment type, schedule, languages."""

from __future__ import annotations

import pytest

from matching.ad_terms import read_languages, read_pay, read_schedule, read_terms
from matching.week import describe_blocks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay: $18-$22 per hour, DOE.", (18.0, 22.0, "hour")),
        ("$18 - 22/hr", (18.0, 22.0, "hour")),
        ("Salary $45,000 to $52,000 a year", (45000.0, 52000.0, "year")),
        ("$45-55k/year", (45000.0, 55000.0, "year")),
        ("up to $24/hr", (None, 24.0, "hour")),
        ("Starting at $19.50 hourly", (19.5, None, "hour")),
        ("We pay $20/h", (20.0, 20.0, "hour")),
        ("$900 per week", (900.0, 900.0, "week")),
        ("A friendly team of 12 and $5 parking.", (None, None, None)),
    ],
)
def test_pay_range_and_unit(text, expected):
    assert read_pay(text) == expected


def test_a_salary_becomes_an_hourly_rate():
    assert read_terms("$45,000-$52,000 a year").hourly == (21.63, 25.0)
    assert read_terms("$18-$22 an hour").hourly == (18.0, 22.0)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("This is a temp-to-hire position.", "temp_to_hire"),
        ("Per diem, PRN coverage.", "per_diem"),
        ("Temporary maternity cover for 3 months.", "temp"),
        ("Full-time, permanent role with benefits.", "permanent"),
        ("Join our team!", None),
    ],
)
def test_employment_type(text, kind):
    assert read_terms(text).employment_type == kind


def test_schedule_days_and_hours():
    mask = read_schedule("Monday-Friday 8am-4:30pm, some Saturdays.")
    assert mask is not None
    blocks = describe_blocks(mask)
    assert "Monday morning" in blocks and "Friday afternoon" in blocks
    assert "Saturday morning" in blocks and "Monday evening" not in blocks
    evenings = read_schedule("Tuesday and Thursday evenings")
    assert evenings is not None and describe_blocks(evenings) == [
        "Tuesday evening",
        "Thursday evening",
    ]
    # Words that only look like days name none.
    assert read_schedule("Monthly reports; we satisfy every patient.") is None


def test_preferred_languages_are_not_requirements():
    assert read_languages("Bilingual English/Spanish preferred.") == (set(), {"english", "spanish"})
    assert read_languages("Spanish required. English is a plus.") == ({"spanish"}, {"english"})
    assert read_languages("You must speak Spanish.") == ({"spanish"}, set())
    assert read_languages("Patients speak Spanish and Mandarin.")[0] == set()

"""Demo openings name EHR systems as their owners write them."""

from __future__ import annotations

import random

import pytest

from agency.services import demo


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("athenahealth", "athenahealth"),
        ("nextgen", "NextGen"),
        ("eclinicalworks", "eClinicalWorks"),
    ],
)
def test_demo_opening_text_keeps_the_owners_spelling(code: str, name: str) -> None:
    clinic = {"name": "Elm Street Clinic", "specialty": "Pediatrics", "city": "Boston"}
    text = demo._opening_text(random.Random(1), "receptionist", clinic | {"ehr_system": code}, [])
    assert text.endswith(f"We use {name}.")

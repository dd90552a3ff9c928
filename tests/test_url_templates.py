"""id_url builds the same links url_for would, for every id of a list."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from agency.url_templates import id_url


@pytest.mark.parametrize(
    ("endpoint", "key", "values"),
    [
        ("staff.candidate", "candidate_id", {}),
        ("staff.match_breakdown", "candidate_id", {"opening_id": 7, "blind": "y"}),
        ("staff.match_breakdown", "candidate_id", {"opening_id": 7, "blind": None}),
        ("public.jobs", "page", {"q": 'front "desk" & <b>', "zip": "02139"}),
        ("clinics.opening_status", "opening_id", {}),
    ],
)
def test_same_links_as_url_for(app: Flask, endpoint: str, key: str, values: dict) -> None:
    with app.test_request_context("/", base_url="https://jobs.example.test/app"):
        build = id_url(endpoint, key, **values)
        for value in (1, 42, 2**31 - 1):
            assert build(value) == url_for(endpoint, **{key: value}, **values)


def test_an_id_never_becomes_markup_or_a_path(app: Flask) -> None:
    with app.test_request_context("/"):
        build = id_url("staff.candidate", "candidate_id")
        with pytest.raises(ValueError):
            build("1/../../admin")  # type: ignore[arg-type]

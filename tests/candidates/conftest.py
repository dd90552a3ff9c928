"""Fixtures for the candidate area: a signed-in candidate with a complete-enough profile."""

from __future__ import annotations

from typing import Any

import pytest

from agency.models import Candidate


@pytest.fixture
def candidate(make_candidate: Any, taxonomy: Any) -> Candidate:
    return make_candidate(phone="(617) 555-0100")


@pytest.fixture
def signed_in(candidate: Candidate, login_as: Any) -> Candidate:
    login_as(candidate.user)
    return candidate


def upload(data: bytes, name: str) -> tuple[Any, str]:
    import io

    return (io.BytesIO(data), name)


def multipart(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for client.post with a multipart body built in memory (werkzeug's own
    encoder spools big bodies to a temp file that the test client never closes)."""
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    fields: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, tuple):
            stream, name = value
            fields[key] = FileStorage(stream=stream, filename=name)
        else:
            fields[key] = value
    boundary, body = encode_multipart(fields)
    return {
        "input_stream": io.BytesIO(body),
        "content_type": f"multipart/form-data; boundary={boundary}",
        "content_length": len(body),
    }

"""The web app's logs (agency/logs.py): the request id on every line, one access line per
request with the user and the duration."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency import logs


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What a process set up by logs.configure() would print (the root handler's format)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logging.Formatter(logs.FORMAT))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_request_is_logged_once_with_its_id_user_and_duration(
    app: Flask, client: FlaskClient, make_candidate, login_as, log_lines: io.StringIO
) -> None:
    answer = client.get("/jobs", headers={"X-Request-Id": "proxy-1234-abcd"})
    assert answer.status_code == 200
    assert answer.headers["X-Request-Id"] == "proxy-1234-abcd"  # a proxy's id links both logs

    candidate = make_candidate()
    login_as(candidate.user)
    mine = client.get("/me", headers={"X-Request-Id": "bad id\twith spaces"})
    new_id = mine.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)  # not a plain token: a fresh id instead

    access = [line for line in log_lines.getvalue().splitlines() if " agency.access " in line]
    jobs = [line for line in access if "[proxy-1234-abcd]" in line]
    assert len(jobs) == 1 and re.search(r"GET /jobs 200 \d+ms user=-$", jobs[0])
    me = [line for line in access if f"[{new_id}]" in line]
    assert len(me) == 1 and me[0].endswith(f"user={candidate.user.id}")


def test_lines_outside_a_request_say_so(log_lines: io.StringIO) -> None:
    logging.getLogger("agency.services.outbox").warning("nothing to send")
    assert "[-] nothing to send" in log_lines.getvalue()

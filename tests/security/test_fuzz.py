"""Hypothesis-driven bad input against every form a user is shown and every page's query string.

Each persona opens every page it may open (generated from the URL map), the forms are read out
of the HTML, and hypothesis fills them with long, empty, unicode (NUL, right-to-left), wrongly
typed, negative and huge numbers, impossible dates, duplicated and missing fields, and junk
files. Never a 500; a refused request leaves the database exactly as it was; a GET never writes.
"""

from __future__ import annotations

import io
import os
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agency.models import Role
from tests.security.conftest import Form, base_values, fingerprint
from tests.security.crawl import PERSONAS, Sweep, crawl, pages, start_sweep

# The sweep starts again from fresh rows with the same ids after a request that may write
# (TRUNCATE ... RESTART IDENTITY): real commits.
pytestmark = pytest.mark.commits

# A few dozen per form keeps the sweep within minutes; FUZZ_SCALE=10 for a deeper search.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
FORM_EXAMPLES = int(20 * SCALE)
QUERY_EXAMPLES = int(8 * SCALE)
SETTINGS = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# A refusal: the status says so, or the page came back with errors next to the fields.
REFUSED_CODES = {400, 403, 404, 405, 409, 413, 422, 429}
ERROR_MARKERS = ('class="field-error"', 'aria-invalid="true"', 'class="form-errors"')

# --- The values a careless or hostile user types -----------------------------------------

NASTY_TEXT = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\u202eevil\u202c",
            "\u200f\u05e9\u05dc\u05d5\u05dd",
            "😀🏥",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "%00",
            "   ",
            "\r\n\t",
            "None",
            "null",
            "true",
            "[]",
            "{}",
        ]
    ),
)
NASTY_NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "-1",
            "0",
            "-0",
            "1e309",
            "-1e309",
            "NaN",
            "inf",
            "1.5",
            "0x10",
            "2147483648",
            "9223372036854775808",
            "9" * 60,
            "1,000",
            "12abc",
        ]
    ),
)
NASTY_DATE = st.sampled_from(
    [
        "0000-00-00",
        "0001-01-01",
        "1900-01-01",
        "9999-12-31",
        "10000-01-01",
        "2024-02-30",
        "2024-13-01",
        "-2024-01-01",
        "31/12/2024",
        "2024-1-1",
        "yesterday",
    ]
)
LONG_TEXT = st.integers(min_value=300, max_value=20_000).map(lambda n: "x" * n)
NASTY_VALUE = st.one_of(NASTY_TEXT, NASTY_NUMBER, NASTY_DATE, LONG_TEXT)
FILE_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"%PDF-1.4\n garbage", b"PK\x03\x04 garbage", b"\x89PNG\r\n\x1a\n"]),
)
FILE_NAMES = st.sampled_from(
    ["cv.pdf", "cv.docx", "../../evil.pdf", "a\u202egpj.exe", "", "x" * 300 + ".pdf", "cv"]
)
MISSING = object()
# Sensible answers for empty fields, so that the fuzzed value is often the only thing wrong and
# the request reaches the code behind the validators (a blank form stops at the first check).
GOOD = {
    "email": "fuzzed.person@example.com",
    "password": "a long enough pass phrase 42",
    "confirm": "a long enough pass phrase 42",
    "first_name": "Fuzz",
    "last_name": "Tester",
    "clinic_name": "Fuzz Clinic",
    "zip_code": "02139",
    "phone": "(617) 555-0123",
    "accept_terms": "y",
    "understood": "y",
    "body": "A note.",
    "note": "A note.",
    "reason": "A reason.",
    "issuer": "AAPC",
    "number": "N-1",
    "issued_on": "2024-01-01",
    "expires_on": "2030-01-01",
    "description": "Greet patients, answer phones and schedule visits at the front desk.",
}


@st.composite
def field_value(draw: Any) -> Any:
    """One field's new value: a nasty string, the same field twice, or no field at all."""
    return draw(
        st.one_of(
            NASTY_VALUE,
            st.lists(NASTY_VALUE, min_size=2, max_size=3),
            st.just(MISSING),
        )
    )


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The fuzzer logs in and posts far faster than the login limit allows a person to.
    app_config["RATELIMIT_ENABLED"] = False
    return app_config


def _owns(app: Flask, persona: str, form: Form) -> bool:
    """Each form is fuzzed once, by the least privileged persona that is shown it."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(form.action).path, method=form.method)
    except Exception:
        return True
    policy = getattr(app.view_functions[endpoint], "allowed_roles", None)
    if policy is None:
        return persona == "anonymous"
    if persona == "admin":
        return Role.STAFF not in policy
    return True


def _refused(response: Any) -> bool:
    if response.status_code in REFUSED_CODES:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        return any(marker in body for marker in ERROR_MARKERS)
    return False


def _fuzz_form(sweep: Sweep, form: Form) -> None:
    names = [f.name for f in form.fields if f.name != "csrf_token"] + ["unexpected_field"]
    file_fields = {f.name for f in form.fields if f.kind == "file"}

    @SETTINGS
    @given(
        changes=st.dictionaries(st.sampled_from(names), field_value(), max_size=4),
        files=st.dictionaries(
            st.sampled_from(sorted(file_fields) or ["none"]),
            st.tuples(FILE_BODIES, FILE_NAMES),
            max_size=len(file_fields),
        ),
    )
    def fuzz(changes: dict[str, Any], files: dict[str, tuple[bytes, str]]) -> None:
        data: dict[str, Any] = _filled(form, sweep.persona)
        for name, value in changes.items():
            if value is MISSING:
                data.pop(name, None)
            else:
                data[name] = value
        for name, (body, filename) in files.items():
            if name in file_fields:
                data[name] = (io.BytesIO(body), filename)
        _send(sweep, form.method, form.action, data, form.multipart or bool(file_fields))

    fuzz()


def _filled(form: Form, persona: str) -> dict[str, Any]:
    data: dict[str, Any] = dict(base_values(form))
    if urlsplit(form.action).path in ("/login", "/me/delete"):
        return data  # a right password would end the sweep's session or the account
    for f in form.fields:
        if f.kind == "select" and not f.value and len(f.options) > 1:
            data[f.name] = [f.options[1]]
        elif data.get(f.name) in (None, [""], ["\r\n"]) and f.name in GOOD:
            data[f.name] = [GOOD[f.name]]
    return data


def _send(sweep: Sweep, method: str, url: str, data: dict[str, Any], multipart: bool) -> None:
    before = fingerprint()
    if method == "GET":
        response = sweep.client.get(url, query_string=_flat(data))
    else:
        kwargs: dict[str, Any] = {"data": data}
        if multipart:
            kwargs["content_type"] = "multipart/form-data"
        response = sweep.client.open(url, method=method, **kwargs)
    label = f"{method} {url} {_short(data)}"
    assert response.status_code < 500, label
    changed = fingerprint() != before
    if method == "GET":
        assert not changed, f"a GET wrote to the database: {label}"
    elif _refused(response):
        assert not changed, f"refused ({response.status_code}) but wrote: {label}"
    elif changed:
        # Accepted: the data moved on. The next form starts again from the original world.
        sweep.dirty = True


def _flat(data: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item if isinstance(item, str) else ""))
    return pairs


def _short(data: dict[str, Any]) -> str:
    return repr({k: (v if len(repr(v)) < 60 else repr(v)[:60] + "...") for k, v in data.items()})


@pytest.fixture
def backend() -> str:
    # The NUL bytes and huge numbers are what PostgreSQL refuses and SQLite accepts.
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


# Minutes over the personas (about 300 s): `make test` runs it, `make test-fast` leaves it out.
@pytest.mark.slow
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_form_survives_bad_input(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    forms, _queries = crawl(app, sweep)
    mine = [form for form in forms.values() if _owns(app, persona, form)]
    assert mine, f"{persona} was shown no form at all"
    for form in sorted(mine, key=lambda f: f.key()):
        sweep.restart()
        _fuzz_form(sweep, form)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_query_parameter_survives_bad_input(app: Flask, persona: str) -> None:
    sweep = start_sweep(app, persona)
    _forms, queries = crawl(app, sweep)
    paths = {urlsplit(p).path for p in pages(app, sweep)}
    for path in sorted(paths | set(queries)):
        names = sorted(queries.get(path, set()) | {"page", "next", "sort"})
        _fuzz_query(sweep, path, names)


def _fuzz_query(sweep: Sweep, path: str, names: list[str]) -> None:
    @settings(SETTINGS, max_examples=QUERY_EXAMPLES)
    @given(params=st.dictionaries(st.sampled_from(names), field_value(), min_size=1, max_size=4))
    def fuzz(params: dict[str, Any]) -> None:
        data = {k: v for k, v in params.items() if v is not MISSING}
        _send(sweep, "GET", path, data, multipart=False)

    fuzz()


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_huge_and_negative_page_numbers_on_every_page(app: Flask, persona: str) -> None:
    """Found by the fuzzer: ?page= past 2**63 overflowed OFFSET on /me and /staff/outbox."""
    sweep = start_sweep(app, persona)
    for page in pages(app, sweep):
        for number in ("9223372036854775808", "200000000000000000", "-5", "0"):
            joiner = "&" if "?" in page else "?"
            response = sweep.client.get(f"{page}{joiner}page={number}")
            assert response.status_code < 500, (page, number)

"""EXPLAIN on PostgreSQL: the queries behind the main pages can use an index on the big tables.

Runs only when TEST_DATABASE_URL is set. Every SELECT a page issues is explained with
sequential scans disabled: a "Seq Scan" on a table that grows with the business (candidates,
their skills and credentials, matches, applications, openings, users, history) means no index
serves that query, which at 100,000 candidates is a full-table read on every request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from agency.extensions import db
from agency.models import Role

BIG_TABLES = {
    "candidates",
    "candidate_skills",
    "credentials",
    "matches",
    "applications",
    "stage_changes",
    "notes",
    "openings",
    "opening_skills",
    "users",
    "audit_events",
    "outbox_messages",
}


@pytest.fixture(autouse=True)
def _postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("EXPLAIN checks run on PostgreSQL (set TEST_DATABASE_URL)")


@contextmanager
def _captured() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def listener(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _seq_scans(statements: list[tuple[str, Any]]) -> list[str]:
    found = []
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, params in statements:
            plan = "\n".join(
                r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params or {})
            )
            for table in re.findall(r"Seq Scan on (\w+)", plan):
                if table in BIG_TABLES:
                    found.append(f"{table}: {' '.join(statement.split())[:300]}")
        conn.rollback()
    return found


@pytest.fixture
def world(
    taxonomy: Any,
    make_user: Any,
    make_clinic: Any,
    make_opening: Any,
    make_candidate: Any,
    make_application: Any,
) -> dict[str, Any]:
    clinic = make_clinic()
    openings = [make_opening(clinic=clinic, title=f"Medical Receptionist {i}") for i in range(3)]
    candidate = make_candidate()
    application = make_application(candidate, openings[0])
    return {
        "clinic": clinic,
        "opening": openings[0],
        "candidate": candidate,
        "staff": make_user(Role.STAFF),
        "application": application,
    }


def _check(client: Any, urls: list[str]) -> None:
    problems = []
    for url in urls:
        client.get(url)  # warm caches so the captured queries are the steady-state ones
        with _captured() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        problems += [f"{url} -> {p}" for p in _seq_scans(statements)]
    assert not problems, "\n".join(problems)


def test_public_pages_use_indexes(client: Any, world: dict[str, Any]) -> None:
    oid = world["opening"].id
    _check(
        client,
        [
            "/",
            "/jobs",
            "/jobs?q=receptionist&role=receptionist&sort=pay",
            "/jobs?zip=02139&radius=10",
            "/jobs?employment_type=temp&min_pay=18&page=2",
            f"/jobs/{oid}",
        ],
    )


def test_staff_pages_use_indexes(client: Any, login_as: Any, world: dict[str, Any]) -> None:
    login_as(world["staff"])
    oid, cid, aid = world["opening"].id, world["candidate"].id, world["application"].id
    _check(
        client,
        [
            "/staff/",
            f"/staff/openings/{oid}",
            "/staff/openings",
            "/staff/candidates",
            f"/staff/candidates/{cid}",
            "/staff/pipeline",
            f"/staff/applications/{aid}",
        ],
    )


def test_clinic_and_candidate_pages_use_indexes(
    app: Any, login_as: Any, world: dict[str, Any]
) -> None:
    clinic_client = app.test_client()
    from tests.conftest import login

    login(clinic_client, world["clinic"].members[0].email)
    _check(clinic_client, ["/clinic/", f"/clinic/openings/{world['opening'].id}"])
    candidate_client = app.test_client()
    login(candidate_client, world["candidate"].user.email)
    _check(
        candidate_client,
        ["/me", "/me/credentials", f"/me/applications/{world['application'].id}"],
    )

"""List and history pages that had no query-count test: their queries must not grow with rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import Note, Role, StageChange
from agency.services import outbox


def _counts(client: Any, url: str, count_queries: Any, grow: Any) -> tuple[int, int]:
    client.get(url)  # warm caches (taxonomy, engine pool)
    with count_queries() as few:
        first = client.get(url)
    assert first.status_code == 200, url
    grow()
    db.session.commit()
    client.get(url)
    with count_queries() as many:
        second = client.get(url)
    assert second.status_code == 200, url
    return few.count, many.count


def test_outbox_page_queries_do_not_grow_with_messages(
    client: Any, make_user: Any, login_as: Any, count_queries: Any
) -> None:
    login_as(make_user(Role.STAFF))

    def grow() -> None:
        for i in range(15):
            outbox.add("notify_staff", {"n": i}, dedupe_key=f"perf-test:{i}")

    outbox.add("notify_staff", {"n": -1}, dedupe_key="perf-test:first")
    db.session.commit()
    few, many = _counts(client, "/staff/outbox", count_queries, grow)
    assert many <= few, (few, many)


def test_credentials_page_queries_do_not_grow_with_credentials(
    client: Any,
    taxonomy: Any,
    make_candidate: Any,
    make_credential: Any,
    login_as: Any,
    count_queries: Any,
) -> None:
    candidate = make_candidate()
    make_credential(candidate, "CPC", expires_on=date.today() + timedelta(days=100))
    login_as(candidate.user)

    def grow() -> None:
        for code in ("CMAA", "BLS", "HIPAA", "CCS", "RHIT"):
            make_credential(candidate, code, expires_on=date.today() + timedelta(days=50))

    few, many = _counts(client, "/me/credentials", count_queries, grow)
    assert many <= few, (few, many)


def _history(application: Any, author: Any) -> None:
    for stage in ("shortlisted", "submitted", "interview", "rejected", "shortlisted"):
        db.session.add(
            StageChange(
                application_id=application.id,
                actor_id=author.id,
                from_stage="applied",
                to_stage=stage,
            )
        )
        db.session.add(
            Note(
                candidate_id=application.candidate_id,
                opening_id=application.opening_id,
                application_id=application.id,
                author_id=author.id,
                body=f"moved to {stage}",
            )
        )


def test_staff_application_page_queries_do_not_grow_with_history(
    client: Any,
    taxonomy: Any,
    make_user: Any,
    make_candidate: Any,
    make_opening: Any,
    make_application: Any,
    login_as: Any,
    count_queries: Any,
) -> None:
    staff = make_user(Role.STAFF)
    application = make_application(make_candidate(), make_opening())
    login_as(staff)
    url = f"/staff/applications/{application.id}"
    few, many = _counts(client, url, count_queries, lambda: _history(application, staff))
    assert many <= few, (few, many)


def test_candidate_application_page_queries_do_not_grow_with_history(
    client: Any,
    taxonomy: Any,
    make_user: Any,
    make_candidate: Any,
    make_opening: Any,
    make_application: Any,
    login_as: Any,
    count_queries: Any,
) -> None:
    staff = make_user(Role.STAFF)
    candidate = make_candidate()
    application = make_application(candidate, make_opening())
    login_as(candidate.user)
    url = f"/me/applications/{application.id}"
    few, many = _counts(client, url, count_queries, lambda: _history(application, staff))
    assert many <= few, (few, many)

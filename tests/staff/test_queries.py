"""Every staff page issues a bounded number of SQL statements, whatever the rows shown."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Application, Note, StageChange
from tests import factories


def _populate(
    n: int,
    clinic: Any,
    opening: Any,
    make_candidate: Any,
    make_credential: Any,
    make_opening: Any,
    make_clinic: Any,
    staff: Any,
) -> Any:
    person = None
    for i in range(n):
        person = make_candidate(first_name="Q", last_name=f"Count{i}")
        make_credential(person, "CPC", expires_on=date.today() + timedelta(days=10))
        application = factories.ApplicationFactory()(person, opening)
        db.session.add(
            StageChange(
                application_id=application.id,
                from_stage="applied",
                to_stage="shortlisted",
                actor_id=staff.id,
            )
        )
        db.session.add(Note(candidate_id=person.id, author_id=staff.id, body=f"note {i}"))
        make_opening(clinic=clinic, title=f"Extra opening {i}")
        make_clinic(approved=False, name=f"Pending {i}")
    db.session.commit()
    return person


PAGES = [
    "/staff/",
    "/staff/openings/{opening}",
    "/staff/openings",
    "/staff/candidates",
    "/staff/candidates?credential=CPC&zip_code=02139&radius=30&availability=0",
    "/staff/pipeline",
    "/staff/batch?start_from=2000-01-01",
    "/staff/batch/proposal?opening={opening}",
    "/staff/engine",
    "/staff/clinics",
    "/staff/admin/audit",
    "/staff/admin/staff",
]


@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_rows(
    path: str,
    client,
    admin,
    taxonomy,
    make_clinic,
    make_opening,
    make_candidate,
    make_credential,
    count_queries,
) -> None:
    clinic = make_clinic()
    opening = make_opening(clinic=clinic)
    counts = []
    for n in (2, 10):
        _populate(
            n - ((counts and 2) or 0),
            clinic,
            opening,
            make_candidate,
            make_credential,
            make_opening,
            make_clinic,
            admin,
        )
        url = path.format(opening=opening.id)
        client.get(url)  # warm the candidate pool
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(q.count)
    assert counts[1] <= counts[0] + 1, (path, counts)
    assert counts[1] <= 16, (path, counts)


def test_candidate_page_query_count(
    client,
    admin,
    taxonomy,
    make_clinic,
    make_opening,
    make_candidate,
    make_credential,
    count_queries,
) -> None:
    clinic = make_clinic()
    opening = make_opening(clinic=clinic)
    person = _populate(
        1, clinic, opening, make_candidate, make_credential, make_opening, make_clinic, admin
    )
    with count_queries() as few:
        client.get(f"/staff/candidates/{person.id}")
    for i in range(8):
        other = make_opening(clinic=clinic, title=f"More {i}")
        db.session.add(
            Application(
                candidate_id=person.id, opening_id=other.id, source="applied", stage="applied"
            )
        )
        db.session.add(Note(candidate_id=person.id, author_id=admin.id, body=f"more {i}"))
        make_credential(person, "HIPAA" if i == 0 else f"X{i}")
    db.session.commit()
    with count_queries() as many:
        response = client.get(f"/staff/candidates/{person.id}")
    assert response.status_code == 200
    assert many.count <= few.count + 1, (few.count, many.count)

"""Every staff list exports the rows its filters show, as CSV and as XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from agency.extensions import db
from agency.models import AuditEvent, Stage


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_candidates_export_follows_the_search_filters(
    client: Any, staff: Any, make_candidate: Any
) -> None:
    make_candidate(first_name="Ann", last_name="Lee", desired_roles=["receptionist"])
    make_candidate(first_name="Bob", last_name="Ray", desired_roles=["secretary"])
    rows = _csv(client.get("/staff/candidates/export?format=csv&role=secretary"))
    assert rows[0][:3] == ["id", "first name", "last name"]
    assert [r[1:3] for r in rows[1:]] == [["Bob", "Ray"]]
    everyone = _csv(client.get("/staff/candidates/export"))
    assert {r[1] for r in everyone[1:]} == {"Ann", "Bob"}
    event = (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "list_exported"))
        .scalars()
        .first()
    )
    assert event.object_type == "candidates" and event.details["role"] == "secretary"


def test_a_formula_in_a_cell_is_neutralised(client: Any, staff: Any, make_candidate: Any) -> None:
    make_candidate(first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)")
    (row,) = _csv(client.get("/staff/candidates/export"))[1:]
    assert row[1] == '\'=HYPERLINK("http://evil")' and row[2] == "'@SUM(A1)"


def test_xlsx_has_the_same_rows(client: Any, staff: Any, make_candidate: Any) -> None:
    make_candidate(first_name="Ann", last_name="Lee")
    # The body is a temporary file the server closes (and so deletes) with the response.
    with client.get("/staff/candidates/export?format=xlsx") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        data = response.data
    sheet = load_workbook(io.BytesIO(data), read_only=True)["candidates"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["id", "first name", "last name"] and rows[1][1:3] == ["Ann", "Lee"]


def test_pipeline_placements_openings_and_audit_export(
    client: Any, staff: Any, make_candidate: Any, make_opening: Any, make_application: Any
) -> None:
    ann, bob = make_candidate(first_name="Ann"), make_candidate(first_name="Bob")
    opening = make_opening(title="Front desk")
    make_application(ann, opening, Stage.PLACED)
    make_application(bob, opening, Stage.APPLIED)
    applied = _csv(client.get("/staff/pipeline/export?stage=applied"))
    assert [r[2].split()[0] for r in applied[1:]] == ["Bob"]
    placed = _csv(client.get("/staff/placements/export"))
    assert [(r[2].split()[0], r[6]) for r in placed[1:]] == [("Ann", "placed")]
    assert [r[1] for r in _csv(client.get("/staff/openings/export?q=front"))[1:]] == ["Front desk"]
    audit = _csv(client.get("/staff/admin/audit/export?action=list_exported"))
    assert audit[0][:2] == ["when", "action"] and len(audit) >= 4


@pytest.mark.parametrize(
    "path",
    [
        "/staff/candidates/export?format=pdf",
        "/staff/pipeline/export?stage=nonsense",
    ],
)
def test_unknown_formats_and_stages_are_404(client: Any, staff: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_bad_filters_are_a_400(client: Any, staff: Any) -> None:
    assert client.get("/staff/admin/audit/export?candidate=99999999999999").status_code == 400

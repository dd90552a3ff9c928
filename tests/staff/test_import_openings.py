"""Importing a clinic's job orders: the opening form's rules per row, no duplicates on re-import."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import Opening, User
from tests.staff.import_helpers import csv_bytes, import_file, upload, xlsx_bytes

START = date.today() + timedelta(days=14)
HEADER = [
    "Job title",
    "Role",
    "Employment type",
    "Positions",
    "Start date",
    "Pay from",
    "Pay up to",
    "Skills",
    "Certifications",
    "Languages",
]


def row(title: str, **cells: Any) -> list[Any]:
    values = {
        "title": title,
        "role": "Receptionist",
        "employment": "Temp to hire",
        "positions": "2",
        "start": START.isoformat(),
        "pay_min": "19.50",
        "pay_max": "24",
        "skills": "appointment_scheduling:3; customer_service",
        "credentials": "CMAA",
        "languages": "English; Spanish",
    }
    values.update(cells)
    return list(values.values())


def _openings() -> list[Opening]:
    return list(db.session.execute(db.select(Opening).order_by(Opening.id)).scalars())


def test_job_orders_are_imported_for_the_clinic_and_bad_rows_reported(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    rows = [
        HEADER,
        row("Front desk, Cambridge"),  # 2: added
        row("Past start", start="2001-01-01"),  # 3: the service's rule
        row("Bad pay", pay_min="30", pay_max="20"),  # 4: the service's rule
        row("Unknown skill", skills="juggling:2"),  # 5
        row("Bad role", role="astronaut"),  # 6: the form's choices
        row("Bad language", languages="Klingon"),  # 7
        row("", role="Secretary"),  # 8: no title
        row("Back office", role="secretary", employment="per diem", start=START),  # 9: added
    ]
    job = import_file(client, xlsx_bytes(rows), "orders.xlsx", "openings", clinic=str(clinic.id))
    assert (job.created_count, job.error_count) == (2, 6), job.message
    front, back = _openings()
    assert (front.clinic_id, front.entered_by_id, front.status, front.positions) == (
        clinic.id,
        staff.id,
        "open",
        2,
    )
    assert front.employment_type == "temp_to_hire" and front.languages == ["english", "spanish"]
    assert {s.skill.code: s.min_level for s in front.skills} == {
        "appointment_scheduling": 3,
        "customer_service": 2,
    }
    assert [c.credential_type.code for c in front.credentials] == ["CMAA"]
    assert (back.role_type, back.employment_type) == ("secretary", "per_diem")
    report = list(
        csv.reader(
            io.StringIO(client.get(f"/staff/import/{job.id}/errors.csv").get_data(as_text=True))
        )
    )
    reasons = {int(r[0]): (r[1], r[2]) for r in report[1:]}
    assert reasons[3] == ("Start date", "The start date cannot be in the past.")
    assert reasons[4] == ("Pay from", "The minimum pay is above the maximum.")
    assert reasons[5] == ("Skills", "Unknown skill: juggling.")
    assert reasons[6] == ("Role", "Not a valid choice.")
    assert reasons[7][0] == "Languages" and "not a valid choice" in reasons[7][1]
    assert reasons[8] == ("Job title", "This field is required.")


def test_re_importing_job_orders_adds_none_twice(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    data = csv_bytes([HEADER, row("Front desk"), row("Back office", role="secretary")])
    first = import_file(client, data, "orders.csv", "openings", clinic=str(clinic.id))
    again = import_file(client, data, "orders.csv", "openings", clinic=str(clinic.id))
    assert (first.created_count, again.created_count, again.existing_count) == (2, 0, 2)
    assert len(_openings()) == 2


def test_openings_need_an_approved_clinic(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    waiting = make_clinic(approved=False)
    data = csv_bytes([HEADER, row("Front desk")])
    page = upload(client, data, "orders.csv", "openings", clinic=str(waiting.id))
    assert "Not a valid choice" in page.get_data(as_text=True)
    page = upload(client, data, "orders.csv", "openings")
    assert "Choose the approved clinic the openings are for." in page.get_data(as_text=True)

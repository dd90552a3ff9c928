"""The staff workspace's lists that pages build their choices from."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.services.staff_queries import lists


def test_a_job_order_may_be_for_approved_clinics_only_listed_by_name(make_clinic: Any) -> None:
    make_clinic(name="Birch Street Clinic")
    make_clinic(name="Aspen Family Practice")
    make_clinic(name="Waiting Room Clinic", approved=False)
    db.session.commit()
    names = [c.name for c in lists.approved_clinics()]
    assert names == ["Aspen Family Practice", "Birch Street Clinic"]

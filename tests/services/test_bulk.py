"""Bulk inserts (the seed, rescoring): every row lands with its ids, defaults and JSON intact."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from agency.extensions import db
from agency.models import AuditEvent, Clinic, Opening, User, utcnow
from agency.services import bulk


def _clinic_rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "name": f"Clinic {i}",
            "address_line": f"{i} Main St",
            "city": "Cambridge",
            "state": "MA",
            "zip_code": "02139",
        }
        for i in range(n)
    ]


def _opening_row(clinic_id: int, **more: object) -> dict[str, object]:
    return {
        "clinic_id": clinic_id,
        "title": "Front Desk",
        "role_type": "receptionist",
        "employment_type": "temp",
        "start_date": date(2027, 1, 4),
        **more,
    }


def test_insert_with_ids_returns_each_rows_id_in_order(app) -> None:
    rows = _clinic_rows(7)
    ids = bulk.insert_with_ids(Clinic, rows)
    db.session.commit()
    assert len(set(ids)) == 7
    stored = {c.id: c.name for c in db.session.execute(db.select(Clinic)).scalars()}
    assert [stored[i] for i in ids] == [f"Clinic {i}" for i in range(7)]
    # The sequence moved on: an ordinary insert afterwards gets a fresh id.
    later = Clinic(**_clinic_rows(1)[0])
    db.session.add(later)
    db.session.commit()
    assert later.id not in ids


def test_insert_with_ids_fills_defaults_and_keeps_json(app) -> None:
    (clinic_id,) = bulk.insert_with_ids(Clinic, _clinic_rows(1))
    (user_id,) = bulk.insert_with_ids(
        User, [{"email": "bulk@example.com", "password_hash": "x", "role": "candidate"}]
    )
    (opening_id,) = bulk.insert_with_ids(
        Opening,
        [_opening_row(clinic_id, pay_max=Decimal("24.50"), ehr_systems=["epic", "cerner"])],
    )
    db.session.commit()
    user = db.session.get(User, user_id)
    assert user is not None and user.active is True and user.created_at is not None
    opening = db.session.get(Opening, opening_id)
    assert opening is not None
    assert opening.ehr_systems == ["epic", "cerner"] and opening.pay_max == Decimal("24.50")
    assert opening.status == "draft" and opening.positions == 1


def test_among_finds_exactly_the_listed_values_of_a_long_list(app) -> None:
    ids = bulk.insert_with_ids(
        User,
        [
            {"email": f"among{i}@example.com", "password_hash": "x", "role": "candidate"}
            for i in range(1200)
        ],
    )
    db.session.commit()
    wanted = [f"among{i}@example.com" for i in range(0, 1200, 2)] + ["nobody@example.com"]
    found: set[str] = set()
    for some in bulk.lookup_slices(wanted):
        found.update(
            db.session.execute(db.select(User.email).where(bulk.among(User.email, some))).scalars()
        )
    assert found == set(wanted) - {"nobody@example.com"}
    by_id = db.session.execute(db.select(User.id).where(bulk.among(User.id, ids[:3]))).scalars()
    assert sorted(by_id) == sorted(ids[:3])
    assert bulk.lookup_slices([]) == []


def test_remembered_json_texts_are_each_values_own() -> None:
    # Values that equal each other in Python but not in JSON (True and 1, 1 and 1.0), in every
    # order, mixed in one COPY's memory: each must come out as json.dumps writes it.
    atoms = ["a", "b", "", 1, 0, True, False, 1.0, None, [], {}]
    values: list[object] = [[], {}, [[]], {"k": {}}, list(range(6)), {"a": [1]}]
    for first in atoms:
        values.append([first])
        values.append({"k": first})
        values.append({1: first})
        for second in atoms:
            if isinstance(second, (str, int, float)) or second is None:
                values.append([first, second])
                values.append({"k": first, "j": second})
                values.append({"j": second, "k": first})
    texts: dict[object, str] = {}
    for _ in range(2):  # the second time from memory
        for value in values:
            assert bulk._json_text(value, texts) == json.dumps(value)


def test_json_encoded_ahead_lands_as_the_value_itself(app) -> None:
    """A JSON value encoded on another thread (bulk.Encoded) is stored as that value, not as a
    string holding its text, by both kinds of insert and on both backends."""
    (clinic_id,) = bulk.insert_with_ids(Clinic, _clinic_rows(1))
    systems = ["epic", "athenahealth", 'quote " and \\ backslash']
    (opening_id,) = bulk.insert_with_ids(
        Opening, [_opening_row(clinic_id, ehr_systems=bulk.Encoded(systems))]
    )
    details = {"import_job": 7, "note": "tab\there"}
    bulk.insert_rows(
        AuditEvent,
        [
            {
                "action": "candidate_entered",
                "object_type": "candidate",
                "object_id": 1,
                "ip": "",
                "details": bulk.Encoded(details),
                "created_at": utcnow(),
            }
        ],
    )
    db.session.commit()
    opening = db.session.get(Opening, opening_id)
    assert opening is not None and opening.ehr_systems == systems
    event = db.session.execute(db.select(AuditEvent)).scalar_one()
    assert event.details == details


def test_timestamps_land_as_the_same_instant(app) -> None:
    """A timestamp written by COPY (as text, formatted once per value) is the instant given,
    whatever its offset; a row left to the default gets the time of its insert."""
    moments = [
        datetime(2026, 12, 3, 15, 4, 5, 123456, tzinfo=UTC),
        datetime(2026, 12, 3, 9, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    ]
    bulk.insert_rows(
        AuditEvent,
        [
            {
                "action": "x",
                "object_type": "",
                "object_id": n,
                "ip": "",
                "details": {},
                "created_at": moment,
            }
            for n, moment in enumerate([*moments, moments[0]])
        ],
    )
    before = utcnow()
    bulk.insert_with_ids(
        User,
        [{"email": f"t{n}@example.com", "password_hash": "x", "role": "candidate"} for n in (1, 2)],
    )
    db.session.commit()
    stored = dict(db.session.execute(db.select(AuditEvent.object_id, AuditEvent.created_at)).all())
    assert [stored[n] for n in (0, 1, 2)] == [*moments, moments[0]]
    assert stored[1] == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    made = db.session.execute(db.select(User.created_at).where(User.email.like("t%"))).scalars()
    assert [before <= moment <= utcnow() for moment in made] == [True, True]

"""Importing candidates from CSV and XLSX: every kind of bad row, re-imports, the report."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from agency.extensions import db
from agency.models import (
    AuditEvent,
    Candidate,
    CandidateSkill,
    DuplicateFlag,
    ImportJob,
    OutboxMessage,
    Role,
    User,
)
from agency.services import import_people, imports
from tests.staff.import_helpers import (
    csv_bytes,
    guessed_mapping,
    import_file,
    job_id_of,
    run_jobs,
    upload,
    xlsx_bytes,
)

HEADER = ["First Name", "Last Name", "Email Address", "Phone", "ZIP", "Role", "Years", "Skills"]


def good(first: str, email: str, phone: str = "", **cells: Any) -> list[Any]:
    row = {
        "first": first,
        "last": "Import",
        "email": email,
        "phone": phone,
        "zip": "02139",
        "role": "Receptionist",
        "years": "3",
        "skills": "appointment_scheduling:3; Customer service",
    }
    row.update(cells)
    return list(row.values())


def bad_file(existing_email: str) -> list[list[Any]]:
    return [
        HEADER,
        good("Ann", "ann@example.com", "617 555 0101"),  # row 2: added
        good("Bob", ""),  # 3: missing e-mail
        good("Cid", "not-an-email"),  # 4: bad e-mail
        good("Dee", "dee@example.com", zip="00000"),  # 5: bad ZIP
        good("Eve", "eve@example.com", phone="12"),  # 6: bad phone
        good("Fay", "fay@example.com", skills="juggling"),  # 7: unknown skill
        good("Ann", "ANN@example.com"),  # 8: the same e-mail as row 2
        good('=HYPERLINK("http://evil.example","x")', "gus@example.com"),  # 9: a formula
        good("H" * 5000, "huge@example.com"),  # 10: a huge cell
        good("Ivy", "ivy@example.com", years="lots"),  # 11: wrong type
        good("Hal", "hal@example.com", "(617) 555-0199"),  # 12: added
        good("Old", existing_email),  # 13: already on file
    ]


def _report(client: Any, job: ImportJob) -> list[list[str]]:
    response = client.get(f"/staff/import/{job.id}/errors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _imported() -> list[Candidate]:
    return list(
        db.session.execute(
            db.select(Candidate).where(Candidate.last_name == "Import").order_by(Candidate.id)
        ).scalars()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kind_of_bad_row_is_skipped_and_reported(
    client: Any, staff: User, make_user: Any, make_candidate: Any, taxonomy: Any, fmt: str
) -> None:
    existing = make_user(Role.CANDIDATE, email="old.timer@example.com")
    # Someone already on file with Hal's phone: the import flags the pair, as intake would.
    same_phone = make_candidate(phone="(617) 555-0199")
    rows = bad_file(existing.email)
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    job = import_file(client, data, f"people.{fmt}")
    assert (job.status, job.rows_total, job.rows_done) == ("done", 12, 12)
    assert (job.created_count, job.existing_count, job.error_count) == (2, 1, 9)
    ann, hal = _imported()
    assert (ann.first_name, ann.user.email, ann.phone, ann.zip_code) == (
        "Ann",
        "ann@example.com",
        "(617) 555-0101",
        "02139",
    )
    assert ann.entered_by_id == staff.id and ann.awaiting_claim
    assert ann.consent_share_profile is False and ann.desired_roles == ["receptionist"]
    levels = db.session.execute(
        db.select(CandidateSkill.level).where(CandidateSkill.candidate_id == ann.id)
    ).scalars()
    assert sorted(levels) == [2, 3]
    # Nobody can log in to an imported record before claiming it.
    assert (
        client.application.test_client()
        .post("/login", data={"email": "ann@example.com", "password": import_people.NO_PASSWORD})
        .status_code
        != 302
    )
    invited = db.session.execute(
        db.select(OutboxMessage.payload["to"].as_string()).where(
            OutboxMessage.payload["template"].as_string() == "account_invitation"
        )
    ).scalars()
    assert sorted(invited) == ["ann@example.com", "hal@example.com"]
    flag = db.session.execute(db.select(DuplicateFlag)).scalar_one()
    assert {flag.candidate_id, flag.other_id} == {same_phone.id, hal.id}
    assert flag.reasons == ["same phone"]
    page = client.get(f"/staff/import/{job.id}").get_data(as_text=True)
    assert "Download the report of skipped rows (CSV)" in page
    report = _report(client, job)
    assert report[0] == ["row", "column", "reason"]
    by_row = {int(r[0]): (r[1], r[2]) for r in report[1:]}
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 13}
    assert by_row[3] == ("E-mail", "This field is required.")
    assert by_row[4] == ("E-mail", "Invalid email address.")
    assert by_row[5] == ("ZIP code", "Enter a real 5-digit US ZIP code.")
    assert by_row[6][0] == "Phone" and "phone number like" in by_row[6][1]
    assert by_row[7] == ("Skills", "Unknown skill: juggling.")
    assert by_row[8] == ("E-mail", "The same e-mail as row 2 of this file.")
    assert by_row[9][0] == "First name" and "formula" in by_row[9][1]
    assert by_row[10][0] == "First name" and "100 characters" in by_row[10][1]
    assert by_row[11] == ("Years of experience", "Not a valid integer value.")
    assert by_row[13] == ("E-mail", "A person with this e-mail is already on file.")
    audit = db.session.execute(
        db.select(AuditEvent.object_id).where(AuditEvent.action == "candidate_entered")
    ).scalars()
    assert sorted(audit) == [ann.id, hal.id]


def test_a_re_import_creates_no_duplicates(
    client: Any, staff: User, make_user: Any, taxonomy: Any
) -> None:
    existing = make_user(Role.CANDIDATE, email="old.timer@example.com")
    data = csv_bytes(bad_file(existing.email))
    first = import_file(client, data, "people.csv")
    again = import_file(client, data, "people.csv")
    assert first.created_count == 2
    assert (again.created_count, again.existing_count, again.error_count) == (0, 3, 9)
    assert len(_imported()) == 2
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 4


def test_slices_resume_where_the_last_one_committed(
    client: Any, staff: User, taxonomy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two rows a batch and no time per slice: every slice commits one batch and stages the next.
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    client.application.config["IMPORT_SLICE_SECONDS"] = 0
    rows = [HEADER] + [good(f"P{i}", f"p{i}@example.com") for i in range(7)]
    rows.append(good("Again", "P0@Example.com"))  # the case differs, the e-mail does not
    job = import_file(client, csv_bytes(rows), "people.csv")
    assert (job.created_count, job.error_count, job.rows_done) == (7, 1, 8)
    slices = db.session.execute(
        db.select(db.func.count()).where(OutboxMessage.kind == "import_rows")
    ).scalar_one()
    # Four slices of a batch each; the fifth finds the end of the file and closes the job.
    assert slices == 5
    # The duplicate in a later slice still names the row the first slice imported.
    assert _report(client, job)[1] == ["9", "E-mail", "The same e-mail as row 2 of this file."]
    # A slice delivered again finds nothing left to do.
    assert imports.run_slice(job.id) == "nothing to do"
    assert len(_imported()) == 7


def test_no_invitations_when_staff_untick_it(client: Any, staff: User, taxonomy: Any) -> None:
    job_id = job_id_of(upload(client, csv_bytes([HEADER, good("Ann", "a@example.com")]), "a.csv"))
    form = guessed_mapping(client, job_id)
    assert client.post(f"/staff/import/{job_id}", data=form).status_code == 302
    run_jobs()
    assert len(_imported()) == 1
    assert db.session.execute(db.select(OutboxMessage.kind)).scalars().all() == ["import_rows"]
    # Every row imported: no report of skipped rows to offer.
    page = client.get(f"/staff/import/{job_id}").get_data(as_text=True)
    assert "1 added, 0 already on file, 0 rows skipped." in page
    assert "report of skipped rows" not in page


def test_the_columns_are_guessed_from_the_header_and_can_be_changed(
    client: Any, staff: User, taxonomy: Any
) -> None:
    header = ["E-mail", "Surname", "Given name", "Telephone", "Postal code", "Notes"]
    data = csv_bytes([header, ["x@example.com", "Lee", "Ann", "", "02139", "n/a"]])
    job_id = job_id_of(upload(client, data, "x.csv"))
    page = client.get(f"/staff/import/{job_id}").get_data(as_text=True)
    assert "x@example.com" in page and "Column 6: Notes" in page
    form = guessed_mapping(client, job_id)
    assert {k: form[k] for k in ("col_email", "col_last_name", "col_first_name")} == {
        "col_email": "0",
        "col_last_name": "1",
        "col_first_name": "2",
    }
    assert (form["col_phone"], form["col_zip_code"], form["col_skills"]) == ("3", "4", "")
    # Staff swap the names and drop the e-mail: a required field left out is refused.
    response = client.post(
        f"/staff/import/{job_id}",
        data={**form, "col_email": "", "col_first_name": "1", "col_last_name": "2"},
    )
    assert "Choose a column for: E-mail." in response.get_data(as_text=True)
    response = client.post(
        f"/staff/import/{job_id}", data={**form, "col_first_name": "1", "col_last_name": "1"}
    )
    assert "Each column of the file can feed one field only." in response.get_data(as_text=True)
    assert db.session.get(ImportJob, job_id).status == "uploaded"
    ok = {**form, "col_first_name": "1", "col_last_name": "2"}
    assert client.post(f"/staff/import/{job_id}", data=ok).status_code == 302
    run_jobs()
    [person] = db.session.execute(db.select(Candidate)).scalars().all()
    assert (person.first_name, person.last_name) == ("Lee", "Ann")


def test_an_xlsx_with_dates_numbers_and_formulas(client: Any, staff: User, taxonomy: Any) -> None:
    rows: list[list[Any]] = [
        HEADER,
        good("Ann", "ann@example.com", years=4),
        good("Bob", "bob@example.com", years=date(2020, 1, 1)),
        good("=1+1", "calc@example.com"),
    ]
    job = import_file(client, xlsx_bytes(rows), "people.xlsx")
    assert (job.created_count, job.error_count) == (1, 2)
    assert _imported()[0].years_experience == 4
    reasons = {r[0]: r[2] for r in _report(client, job)[1:]}
    assert reasons["3"] == "Not a valid integer value."
    assert "formula" in reasons["4"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "people.csv", "Please upload a CSV or Excel"),
        (b"PK\x03\x04not really a zip", "people.xlsx", "This spreadsheet is damaged."),
        (b"\n\n\n", "blank.csv", "The file has no rows."),
    ],
)
def test_an_upload_that_is_no_table_is_refused_by_its_content(
    client: Any, staff: User, data: bytes, name: str, message: str
) -> None:
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(ImportJob)).first() is None


def test_a_zip_that_is_not_a_workbook_and_a_file_too_large(client: Any, staff: User) -> None:
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "hi")
    page = upload(client, archive.getvalue(), "people.xlsx").get_data(as_text=True)
    assert "This is a ZIP file, not an Excel (.xlsx) workbook." in page
    client.application.config["IMPORT_MAX_BYTES"] = 1000
    page = upload(client, b"a,b\n" * 400, "big.csv").get_data(as_text=True)
    assert "The file is larger than" in page
    assert db.session.execute(db.select(ImportJob)).first() is None


def test_progress_endpoint_follows_the_job(client: Any, staff: User, taxonomy: Any) -> None:
    job_id = job_id_of(upload(client, csv_bytes([HEADER, good("A", "a@example.com")]), "a.csv"))
    body = client.get(f"/staff/import/{job_id}/progress").get_json()
    assert (body["status"], body["percent"]) == ("uploaded", 0)
    client.post(f"/staff/import/{job_id}", data=guessed_mapping(client, job_id))
    assert client.get(f"/staff/import/{job_id}/progress").get_json()["status"] == "queued"
    page = client.get(f"/staff/import/{job_id}").get_data(as_text=True)
    assert f'data-import-progress="/staff/import/{job_id}/progress"' in page
    run_jobs()
    body = client.get(f"/staff/import/{job_id}/progress").get_json()
    assert (body["status"], body["percent"], body["created"], body["errors"]) == ("done", 100, 1, 0)
    assert body["report_url"] == f"/staff/import/{job_id}/errors.csv"
    assert client.get("/staff/import/999999/progress").status_code == 404
    assert client.get(f"/staff/import/{2**40}/progress").status_code == 404


def test_the_file_is_deleted_when_the_job_ends(client: Any, staff: User, taxonomy: Any) -> None:
    job = import_file(client, csv_bytes([HEADER, good("A", "a@example.com")]), "a.csv")
    assert job.status == "done"
    assert not (imports.upload_dir() / job.stored_name).exists()


def test_candidates_and_clinics_cannot_reach_any_import_route(
    client: Any, make_user: Any, make_clinic: Any, login_as: Any, taxonomy: Any
) -> None:
    staff = make_user(Role.STAFF)
    login_as(staff)
    job_id = job_id_of(upload(client, csv_bytes([HEADER, good("A", "a@example.com")]), "a.csv"))
    client.post("/logout")
    routes = [
        ("get", "/staff/import"),
        ("post", "/staff/import"),
        ("get", f"/staff/import/{job_id}"),
        ("post", f"/staff/import/{job_id}"),
        ("get", f"/staff/import/{job_id}/progress"),
        ("get", f"/staff/import/{job_id}/errors.csv"),
    ]
    for method, url in routes:
        assert getattr(client, method)(url).status_code == 302  # anonymous: to the login page
    for user in (make_user(Role.CANDIDATE), make_clinic().members[0]):
        login_as(user)
        for method, url in routes:
            assert getattr(client, method)(url).status_code == 403, (user.role, method, url)
        client.post("/logout")
    assert db.session.get(ImportJob, job_id).status == "uploaded"


def test_an_upload_never_started_is_purged_with_its_file(
    client: Any, staff: User, taxonomy: Any
) -> None:
    from datetime import timedelta

    from agency.models import utcnow
    from agency.services import retention

    job_id = job_id_of(upload(client, csv_bytes([HEADER, good("A", "a@example.com")]), "a.csv"))
    job = db.session.get(ImportJob, job_id)
    stored = imports.upload_dir() / job.stored_name
    retention.purge()
    assert db.session.get(ImportJob, job_id) is not None and stored.exists()
    job.created_at = utcnow() - timedelta(days=imports.ABANDONED_DAYS, hours=1)
    db.session.commit()
    retention.purge()
    assert db.session.get(ImportJob, job_id) is None and not stored.exists()


def test_statistics_are_refreshed_at_ten_thousand_and_each_doubling() -> None:
    refreshed, added = [], 0
    for size in [1000] * 300 + [7] * 3 + [50_000]:  # batches, then a slice's short ones
        if imports._statistics_due(added, added + size):
            refreshed.append(added + size)
        added += size
    assert refreshed == [10_000, 20_000, 40_000, 80_000, 160_000, 350_021]


def test_imported_people_reach_the_open_openings_matches(
    client: Any, staff: User, taxonomy: Any, make_opening: Any
) -> None:
    from agency.models import Match, OpeningStatus
    from agency.services import delivery
    from agency.services.engine import engine

    # No set hours: an imported person has not said when they can work, so an opening with a
    # schedule would find them ineligible until they claim their record and say.
    opening = make_opening(shift_mask=0)
    closed = make_opening(status=OpeningStatus.CLOSED)
    engine().rescore_opening(opening.id)  # its stored matches, before anyone is imported
    job = import_file(client, csv_bytes([HEADER, good("Ann", "ann@example.com")]), "a.csv")
    assert job.created_count == 1
    imported = db.session.execute(
        db.select(Candidate.id).where(Candidate.first_name == "Ann")
    ).scalar_one()

    def matched() -> set[int]:
        return set(
            db.session.execute(
                db.select(Match.candidate_id).where(Match.opening_id == opening.id)
            ).scalars()
        )

    assert imported not in matched()
    # The finished import asks the worker to rescore each open opening, once.
    rescores = (
        db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "rescore_opening"))
        .scalars()
        .all()
    )
    assert [m.payload["opening_id"] for m in rescores] == [opening.id]
    assert closed.id not in [m.payload["opening_id"] for m in rescores]
    delivery.deliver(rescores[0].id)
    db.session.expire_all()
    assert imported in matched()
    # Nothing added, nothing to rescore: a re-import of the same file stages none.
    import_file(client, csv_bytes([HEADER, good("Ann", "ann@example.com")]), "a.csv")
    count = db.session.execute(
        db.select(db.func.count()).where(OutboxMessage.kind == "rescore_opening")
    ).scalar_one()
    assert count == 1

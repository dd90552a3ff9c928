"""Staff imports of candidates and openings from a CSV or XLSX file, as a background job.

Upload (the type is read from the content, the size capped), a preview with the columns mapped
from the header, then a job that imports in slices: each slice reads on from the row the last
one committed, checks every row with the forms' own rules (the checkers the staff blueprint
registers, built from its form classes), skips bad rows into the job's error report and writes
good ones in batches, the batch and the job's progress in one commit. A slice that runs out of
time stages the next one through the outbox (so a lost worker only delays the job), keyed on
the row it starts from: a slice that runs twice finds its rows already done.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import secrets
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import delete, func, select, text

from agency.extensions import db
from agency.models import (
    AuditEvent,
    Candidate,
    CandidateSkill,
    Clinic,
    ImportJob,
    ImportKind,
    ImportRowError,
    ImportStatus,
    Opening,
    Skill,
    SkillSource,
    User,
    utcnow,
)
from agency.services import (
    accounts,
    audit,
    bulk,
    duplicates,
    exports,
    import_people,
    openings,
    outbox,
)
from agency.services.errors import FieldError
from agency.services.uploads import clean_filename, upload_dir

MAX_BYTES = 25 * 1024 * 1024  # IMPORT_MAX_BYTES overrides
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # what an XLSX may expand to (a zip bomb is refused)
MAX_COLUMNS = 100
PREVIEW_ROWS = 5
# Rows per batch (one commit each). Each batch pays a dozen statements and reads the newest
# candidates of its ZIP codes for the duplicate checks: 2,500 rows imported 12-15% faster than
# 1,000 in alternated runs (bench_import.py at 30,000 rows); 5,000 was no faster again.
BATCH_ROWS = 2500
# Refresh the planner's statistics when the candidates a job added reach this many, and again
# each time they double (see `_statistics_due`).
ANALYZE_EVERY = 10_000
# A slice stops starting batches after this long: well inside the outbox's 20 s task limit.
SLICE_SECONDS = 8.0  # IMPORT_SLICE_SECONDS overrides
# The GIL's switch interval while a slice checks rows in a thread beside its writes (see
# `_checked`): Python's default is 5 ms.
SWITCH_INTERVAL = 0.0005
RUN_KIND = "import_rows"
FOLDER = "imports"
# What a spreadsheet runs as a formula when the cell is opened (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(FieldError):
    """A file or mapping staff must fix; `field` names the form field."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


CANDIDATE_COLUMNS = (
    Column("first_name", "First name", ("first", "firstname", "given name", "forename"), True),
    Column("last_name", "Last name", ("last", "lastname", "surname", "family name"), True),
    Column("email", "E-mail", ("e-mail", "email address", "e-mail address", "mail"), True),
    Column("phone", "Phone", ("phone number", "telephone", "mobile", "cell", "tel")),
    Column("zip_code", "ZIP code", ("zip", "zipcode", "postal code", "postcode")),
    Column("desired_role", "Looking for", ("role", "desired role", "position")),
    Column("years_experience", "Years of experience", ("years", "experience", "yrs")),
    Column("skills", "Skills", ("skill", "skill codes")),
)
OPENING_COLUMNS = (
    Column("title", "Job title", ("title", "job", "position", "job title"), True),
    Column("role_type", "Role", ("role", "role type"), True),
    Column("employment_type", "Employment type", ("employment", "type", "contract"), True),
    Column("positions", "Positions", ("openings", "headcount", "count")),
    Column("start_date", "Start date", ("start", "starts", "starting"), True),
    Column("end_date", "End date", ("end", "ends")),
    Column("pay_min", "Pay from", ("pay", "pay min", "min pay", "rate")),
    Column("pay_max", "Pay up to", ("pay max", "max pay")),
    Column("min_typing_wpm", "Typing speed", ("typing", "wpm", "typing wpm")),
    Column("description", "Description", ("duties", "details")),
    Column("skills", "Skills", ("skill", "skill levels")),
    Column("credentials", "Certifications", ("certifications", "credential")),
    Column("ehr_systems", "EHR systems", ("ehr", "emr", "systems")),
    Column("languages", "Languages", ("language",)),
)
COLUMNS = {
    ImportKind.CANDIDATES.value: CANDIDATE_COLUMNS,
    ImportKind.OPENINGS.value: OPENING_COLUMNS,
}


# ---- the rules of a row: registered by the blueprint that owns the forms ------------------


class RowChecker(Protocol):
    def __call__(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The row's cleaned data and its problems as (column, reason); no problems: valid."""


_CHECKERS: dict[str, Callable[[], RowChecker]] = {}


def register_checker(kind: str, factory: Callable[[], RowChecker]) -> None:
    """How rows of `kind` are checked: a factory (called once per slice, inside the app) of a
    callable that checks one row with the forms' rules."""
    _CHECKERS[kind] = factory


def formula_problem(values: dict[str, str]) -> tuple[str, str] | None:
    """A text cell a spreadsheet would run as a formula. The phone may start with "+" and the
    numbers with "-" (their own rules judge those)."""
    for name, value in values.items():
        if name in ("phone", "pay_min", "pay_max", "years_experience", "positions"):
            continue
        if value.startswith(FORMULA_START):
            return name, "This cell starts like a spreadsheet formula (=, +, -, @); remove it."
    return None


# ---- reading files ------------------------------------------------------------------------


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES))


def _xlsx_problem(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return "This spreadsheet is damaged."
    with archive:
        names = {m.filename for m in archive.infolist()}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            return "This is a ZIP file, not an Excel (.xlsx) workbook."
        if sum(m.file_size for m in archive.infolist()) > MAX_UNZIPPED_BYTES:
            return "This workbook expands to more than we accept."
    return None


def detect_format(data: bytes) -> str:
    """'csv' or 'xlsx' from the bytes (never the file name); ImportFileError otherwise."""
    if not data:
        raise ImportFileError("The file is empty.", field="file")
    if len(data) > max_bytes():
        raise ImportFileError(
            f"The file is larger than {max_bytes() // (1024 * 1024)} MB; split it.", field="file"
        )
    if data.startswith(b"PK\x03\x04"):
        problem = _xlsx_problem(data)
        if problem:
            raise ImportFileError(problem, field="file")
        return "xlsx"
    if b"\x00" in data[:65536]:
        raise ImportFileError("Please upload a CSV or Excel (.xlsx) file.", field="file")
    return "csv"  # text; an old Excel "CSV" in Windows-1252 is read as such (see _decode)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _path(job: ImportJob) -> Path:
    return upload_dir() / job.stored_name


def file_present(job: ImportJob) -> bool:
    return _path(job).is_file()


def read_table(job: ImportJob) -> Iterator[list[str]]:
    """The file's rows as lists of text, the header first (blank rows left out)."""
    path = _path(job)
    if job.file_format == "xlsx":
        from openpyxl import load_workbook

        # read_only streams the sheet; without data_only a formula reads as its text ("=...").
        book = load_workbook(path, read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell(v) for v in row[:MAX_COLUMNS]]
                if any(c.strip() for c in cells):
                    yield cells
        finally:
            book.close()
        return
    text = _decode(path.read_bytes())
    # A cell may be as long as the file: the field rules, not the reader, say it is too long.
    csv.field_size_limit(max(max_bytes(), 131072))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        if any(c.strip() for c in row):
            yield row[:MAX_COLUMNS]


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def guess_mapping(kind: str, header: list[str]) -> dict[str, int]:
    """Field -> column index, from the header's words ("E-mail", "Email Address", "ZIP")."""
    mapping: dict[str, int] = {}
    normal = [_normal(h) for h in header]
    for column in COLUMNS[kind]:
        names = {_normal(column.name.replace("_", " ")), _normal(column.label)}
        names.update(_normal(s) for s in column.synonyms)
        for index, cell in enumerate(normal):
            if cell in names and index not in mapping.values():
                mapping[column.name] = index
                break
    return mapping


# ---- jobs -----------------------------------------------------------------------------------


def create(
    kind: str, data: bytes, filename: str, actor: User, clinic: Clinic | None = None
) -> ImportJob:
    """Check and store an upload as a job waiting for its mapping (caller commits)."""
    if kind not in ImportKind.values():
        raise ImportFileError("Choose candidates or openings.", field="kind")
    if kind == ImportKind.OPENINGS.value and (clinic is None or not clinic.approved):
        raise ImportFileError("Choose the approved clinic the openings are for.", field="clinic")
    file_format = detect_format(data)
    folder = upload_dir() / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{FOLDER}/{secrets.token_hex(16)}.{file_format}"
    path = upload_dir() / stored
    with path.open("xb") as fh:
        fh.write(data)
    path.chmod(0o600)
    job = ImportJob(
        kind=kind,
        stored_name=stored,
        filename=clean_filename(filename)[:255],
        file_format=file_format,
        clinic_id=clinic.id if clinic else None,
        created_by_id=actor.id,
    )
    db.session.add(job)
    try:
        header = next(read_table(job), None)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        path.unlink(missing_ok=True)
        raise ImportFileError("This file cannot be read as a table.", field="file") from exc
    if not header:
        path.unlink(missing_ok=True)
        raise ImportFileError("The file has no rows.", field="file")
    db.session.flush()
    return job


def preview(job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows, cells cut short for the page."""
    rows = read_table(job)
    header = next(rows, [])
    shown = []
    for row in rows:
        shown.append([c[:80] for c in row])
        if len(shown) >= PREVIEW_ROWS:
            break
    return [h[:80] for h in header], shown


def start(job: ImportJob, mapping: dict[str, int], send_invitations: bool, actor: User) -> None:
    """Confirm the mapping and queue the job (caller commits; the outbox hands it to a worker)."""
    if job.status != ImportStatus.UPLOADED.value:
        raise ImportFileError("This import has already started.")
    missing = [c.label for c in COLUMNS[job.kind] if c.required and c.name not in mapping]
    if missing:
        raise ImportFileError(f"Choose a column for: {', '.join(missing)}.", field="mapping")
    used = list(mapping.values())
    if len(used) != len(set(used)):
        raise ImportFileError("Each column of the file can feed one field only.", field="mapping")
    job.mapping = dict(mapping)
    job.send_invitations = send_invitations
    job.status = ImportStatus.QUEUED.value
    audit.record(
        "import_started",
        actor_id=actor.id,
        object_type="import_job",
        object_id=job.id,
        details={"kind": job.kind, "file": job.filename},
    )
    db.session.flush()
    outbox.add(RUN_KIND, {"job_id": job.id}, dedupe_key=f"import:{job.id}:0")


def progress(job: ImportJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "percent": job.percent,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "created": job.created_count,
        "existing": job.existing_count,
        "errors": job.error_count,
        "message": job.message,
    }


def error_report(job_id: int) -> Iterator[str]:
    """The report of skipped rows as CSV (row, column, reason), for a streamed response: it runs
    after the view has returned, so it reads through a session of its own (as exports do)."""
    own = exports.streaming_session()

    def body() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "column", "reason"])
        with own as session:
            result = session.execute(
                select(
                    ImportRowError.row_number, ImportRowError.column_label, ImportRowError.reason
                )
                .where(ImportRowError.job_id == job_id)
                .order_by(ImportRowError.row_number, ImportRowError.id)
                .execution_options(yield_per=2000)
            )
            for n, row in enumerate(result, start=1):
                writer.writerow([row.row_number, row.column_label, row.reason])
                if n % 1000 == 0:
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
        yield out.getvalue()

    return body()


# ---- running ----------------------------------------------------------------------------------


@dataclass
class _Slice:
    job: ImportJob
    labels: dict[str, str]
    errors: list[dict[str, Any]]
    first_row_of: dict[str, int]  # a key (an e-mail) -> the file row that first had it
    bad_rows: set[int]  # rows of this batch skipped as bad (a row already on file is not)
    # Whether the checking thread drafts the next batch's invitations: not while most rows turn
    # out to be on file already (a re-import), whose drafts would be thrown away.
    draft_ahead: bool = True


def _values(row: list[str], mapping: dict[str, int]) -> dict[str, str]:
    return {name: (row[i] if i < len(row) else "").strip() for name, i in mapping.items()}


def run_slice(job_id: int) -> str:
    """Import on from where the job stands, for at most a slice's time; the outbox handler."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status in (ImportStatus.DONE.value, ImportStatus.FAILED.value):
        return "nothing to do"
    if not _path(job).is_file():
        job.status, job.message = ImportStatus.FAILED.value, "The uploaded file is gone."
        job.finished_at = utcnow()
        db.session.commit()
        return "file missing"
    checker = _CHECKERS[job.kind]()
    limit = float(current_app.config.get("IMPORT_SLICE_SECONDS", SLICE_SECONDS))
    started = time.monotonic()
    if job.status == ImportStatus.QUEUED.value:
        job.rows_total = sum(1 for _ in read_table(job)) - 1
        job.status, job.started_at = ImportStatus.RUNNING.value, utcnow()
        db.session.commit()
    state = _Slice(job, {c.name: c.label for c in COLUMNS[job.kind]}, [], {}, set())
    writer = _write_candidates if job.kind == ImportKind.CANDIDATES.value else _write_openings
    rows = read_table(job)
    next(rows, None)  # the header
    key_at = job.mapping.get("email") if job.kind == ImportKind.CANDIDATES.value else None
    # The rows before this slice's start are read only for their keys (an e-mail twice in the
    # file is reported at its second row, whichever slice reads it). Plain locals: the loop
    # runs once per row already done, and the job's attributes cost an ORM lookup each.
    done, first_row_of, number = job.rows_done, state.first_row_of, 1
    for row in rows:
        number += 1
        if number - 1 > done:
            break
        if key_at is not None and key_at < len(row):
            first_row_of.setdefault(accounts.normalise_email(row[key_at]), number)
    else:
        return _finish(job)
    batches = _batches(rows, number, [(number, _values(row, job.mapping))], job.mapping)
    if job.kind == ImportKind.CANDIDATES.value:
        entered_by, invitations = job.created_by_id, job.send_invitations

        def check_and_ready(batch: Batch) -> Checks:
            good, problems = _check(checker, batch)
            people = import_people.ready(
                good, entered_by_id=entered_by, invitations=invitations and state.draft_ahead
            )
            return people, problems

        checked_batches = _checked(check_and_ready, batches, ahead=True)
    else:
        checked_batches = _checked(partial(_check, checker), batches, ahead=False)
    with _older_objects_frozen(), checked_batches as checked:
        for batch, checks in checked:
            _commit_batch(state, writer, batch, checks)
            # The last batch, when short, ends the file: the slice finishes the job.
            if len(batch) >= BATCH_ROWS and time.monotonic() - started > limit:
                key = f"import:{job.id}:{job.rows_done}"
                outbox.add(RUN_KIND, {"job_id": job.id}, dedupe_key=key)
                return f"{job.rows_done} of {job.rows_total} rows; continues"
    return _finish(job)


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Leave the objects that existed before the slice out of Python's collections while it
    runs (gc.freeze): the import allocates fast, and each full collection that set off scanned
    the whole process (the app and its libraries, some 340,000 objects) for nothing, 0.27 s a
    time: 0.8 s of the 4.4 s of CPU of 20,000 rows (bench_import.py). What the slice makes is
    collected as ever; the older objects are handed back to the collector at the end. A process
    that froze its objects itself (`gc.freeze` at start) is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


Batch = list[tuple[int, dict[str, str]]]
# A batch's rows as the checks left them: the good ones (file row, cleaned data: a dict, or for
# candidates an import_people.Person) and the problems of the bad ones (file row, column,
# reason).
Checks = tuple[list[tuple[int, Any]], list[tuple[int, str, str]]]


def _batches(
    rows: Iterator[list[str]], number: int, batch: Batch, mapping: dict[str, int]
) -> Iterator[Batch]:
    """The rest of the file in batches of BATCH_ROWS, `batch` (the first rows) first."""
    for row in rows:
        number += 1
        batch.append((number, _values(row, mapping)))
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _check(checker: RowChecker, batch: Batch) -> Checks:
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[tuple[int, str, str]] = []
    for number, values in batch:
        problem = formula_problem(values)
        if problem is not None:
            problems.append((number, *problem))
            continue
        data, found = checker(values)
        if found:
            problems.extend((number, column, reason) for column, reason in found[:3])
            continue
        good.append((number, data))
    return good, problems


@contextmanager
def _checked(
    checks: Callable[[Batch], Checks], batches: Iterator[Batch], *, ahead: bool
) -> Iterator[Iterator[tuple[Batch, Checks]]]:
    """Each batch with its checks. With `ahead`, the next batch is checked (and its rows made
    ready to write) in a thread while the caller writes this one: the checks are Python (the
    GIL), the writes mostly wait for the database (psycopg lets go of the GIL while it waits),
    so on two cores the two overlap. Only for checks that never touch the session (the
    candidate rules: the session belongs to this thread); the thread gets an app context of its
    own for the forms' translations and the invitations' secret."""
    if not ahead:
        yield ((batch, checks(batch)) for batch in batches)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def check(batch: Batch) -> Checks:
        with app.app_context():
            return checks(batch)

    def pipelined(pool: ThreadPoolExecutor) -> Iterator[tuple[Batch, Checks]]:
        pending: tuple[Batch, Future[Checks]] | None = None
        for batch in batches:
            future = pool.submit(check, batch)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = batch, future
        if pending is not None:
            yield pending[0], pending[1].result()

    # A waiting thread takes the GIL back only after the switch interval (5 ms by default): the
    # thread that waited for the database would wait that long again for each of a batch's
    # round trips while the checks run. A shorter interval for the slice keeps that small.
    interval = sys.getswitchinterval()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-checks")
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        yield pipelined(pool)
    finally:
        # Checks of a batch this slice will not write (it ran out of time) are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
        sys.setswitchinterval(interval)


def _commit_batch(
    state: _Slice,
    writer: Callable[[_Slice, list[tuple[int, Any]]], None],
    batch: Batch,
    checks: Checks,
) -> None:
    job = state.job
    good, problems = checks
    for number, column, reason in problems:
        _error(state, number, column, reason)
    created_before = job.created_count
    writer(state, good)
    bulk.insert_rows(ImportRowError, state.errors)
    job.error_count += len(state.bad_rows)
    state.errors, state.bad_rows = [], set()
    job.rows_done += len(batch)
    db.session.commit()
    if _statistics_due(created_before, job.created_count):
        _refresh_statistics()


def _statistics_due(added_before: int, added: int) -> bool:
    """Whether the statistics are due for a refresh now that the job has added `added`
    candidates (`added_before` before this batch): at ANALYZE_EVERY, then at each doubling
    (20,000, 40,000, ...). What the planner needs is sizes right within a factor of two, not
    to the last 10,000 rows: it went wrong on the statistics of an empty table. The refresh
    itself costs more as the tables grow (0.2 s a time at 100,000 candidates), and once every
    ANALYZE_EVERY it was a tenth of the server's work of a 100,000-row import."""
    return (added // ANALYZE_EVERY).bit_length() > (added_before // ANALYZE_EVERY).bit_length()


def _refresh_statistics() -> None:
    """ANALYZE the tables an import grows and reads (PostgreSQL's advice after a bulk load):
    users (by e-mail) and candidates (by phone and ZIP code). Until autovacuum gets to them,
    the planner believes the tables are as small as before the job and picks plans that read
    every candidate of a ZIP code, or the whole table, per batch: the cost grew with the table
    (measured in bench_import.py at 60,000 candidates). The tables it only writes to are left
    to autovacuum."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(m.__tablename__ for m in (User, Candidate))
    db.session.execute(text(f"ANALYZE {tables}"))
    db.session.commit()


def _error(state: _Slice, number: int, column: str, reason: str, *, bad: bool = True) -> None:
    if bad:
        state.bad_rows.add(number)
    state.errors.append(
        {
            "job_id": state.job.id,
            "row_number": number,
            "column_label": state.labels.get(column, column)[:100],
            "reason": reason[:500],
        }
    )


def _finish(job: ImportJob) -> str:
    job.status, job.finished_at = ImportStatus.DONE.value, utcnow()
    job.message = (
        f"{job.created_count} added, {job.existing_count} already on file, "
        f"{job.error_count} rows skipped."
    )
    audit.record(
        "import_finished",
        actor_id=job.created_by_id,
        object_type="import_job",
        object_id=job.id,
        details={"created": job.created_count, "errors": job.error_count},
    )
    if job.kind == ImportKind.CANDIDATES.value and job.created_count:
        # The people are in the pool now, but no opening's stored matches include them (a
        # hand-entered candidate is rescored on its own; thousands at once are one rescore of
        # each open opening). An imported opening is rescored as it is saved.
        openings.request_open_rescores(f"import-rescore:{job.id}")
    db.session.commit()
    _path(job).unlink(missing_ok=True)  # the people's data stays in their records only
    return job.message


def _write_candidates(state: _Slice, good: list[tuple[int, import_people.Person]]) -> None:
    job = state.job
    emails = [person.email for _, person in good]
    # Stored e-mails are normalised (accounts.normalise_email): the unique index answers.
    on_file = set(
        db.session.execute(select(User.email).where(bulk.among(User.email, emails))).scalars()
    )
    fresh: list[import_people.Person] = []
    for number, person in good:
        first = state.first_row_of.setdefault(person.email, number)
        if first != number:
            _error(state, number, "email", f"The same e-mail as row {first} of this file.")
        elif person.email in on_file:
            job.existing_count += 1
            _error(
                state, number, "email", "A person with this e-mail is already on file.", bad=False
            )
        else:
            fresh.append(person)
    state.draft_ahead = len(fresh) * 2 >= len(good)
    if not fresh:
        return
    user_ids = bulk.insert_with_ids(User, [person.user for person in fresh])
    for person, user_id in zip(fresh, user_ids, strict=True):
        person.candidate["user_id"] = user_id
    candidate_ids = bulk.insert_with_ids(Candidate, [person.candidate for person in fresh])
    skill_ids = _skill_ids()
    bulk.insert_rows(
        CandidateSkill,
        [
            {
                "candidate_id": cid,
                "skill_id": skill_ids[code],
                "level": level,
                "source": SkillSource.SELF.value,
            }
            for person, cid in zip(fresh, candidate_ids, strict=True)
            for code, level in person.skills.items()
        ],
    )
    now = utcnow()
    details = bulk.Encoded({"import_job": job.id})
    bulk.insert_with_ids(
        AuditEvent,
        [
            {
                "action": "candidate_entered",
                "actor_id": job.created_by_id,
                "object_type": "candidate",
                "object_id": cid,
                "candidate_id": cid,
                "ip": "",
                "details": details,
                "created_at": now,
            }
            for cid in candidate_ids
        ],
    )
    if job.send_invitations:
        accounts.stage_claims(user_ids, import_people.draft_missing_claims(fresh))
    written = [person.candidate for person in fresh]
    duplicates.flag_many(
        [
            duplicates.NewRecord(
                cid, row["first_name"], row["last_name"], row["phone"], row["zip_code"]
            )
            for cid, row in zip(candidate_ids, written, strict=True)
        ]
    )
    job.created_count += len(candidate_ids)


def _skill_ids() -> dict[str, int]:
    return {code: skill_id for code, skill_id in db.session.execute(select(Skill.code, Skill.id))}


def _write_openings(state: _Slice, good: list[tuple[int, dict[str, Any]]]) -> None:
    job = state.job
    clinic = db.session.get(Clinic, job.clinic_id) if job.clinic_id else None
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    if clinic is None or actor is None:
        for number, _ in good:
            _error(state, number, "", "The clinic or the staff member of this import is gone.")
        return
    for number, data in good:
        draft: openings.OpeningDraft = data["draft"]
        same = db.session.execute(
            select(Opening.id).where(
                Opening.clinic_id == clinic.id,
                func.lower(Opening.title) == draft.title.strip().lower(),
                Opening.start_date == draft.start_date,
            )
        ).first()
        if same is not None:
            job.existing_count += 1
            _error(state, number, "title", "The clinic has this opening already.", bad=False)
            continue
        try:
            with db.session.begin_nested():
                openings.save(clinic, draft, actor, publish=True, entered_for_clinic=True)
        except openings.OpeningError as exc:
            _error(state, number, exc.field or "", str(exc))
            continue
        job.created_count += 1


def discard(job: ImportJob) -> None:
    """Remove a job that never started, with its file (caller commits)."""
    _path(job).unlink(missing_ok=True)
    db.session.execute(delete(ImportRowError).where(ImportRowError.job_id == job.id))
    db.session.delete(job)


# An upload nobody started: its file (people's data) is removed after this many days.
ABANDONED_DAYS = 2


def purge_abandoned() -> int:
    """Remove the jobs uploaded but never started for ABANDONED_DAYS, with their files (the
    retention job calls it; caller commits). Returns how many."""
    cutoff = utcnow() - timedelta(days=ABANDONED_DAYS)
    stale = list(
        db.session.execute(
            select(ImportJob).where(
                ImportJob.status == ImportStatus.UPLOADED.value, ImportJob.created_at < cutoff
            )
        ).scalars()
    )
    for job in stale:
        discard(job)
    return len(stale)

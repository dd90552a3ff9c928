"""A believable demo agency around Boston, the same every run (fixed seed; dates follow today).

Rows go in with bulk INSERTs, never a commit per row, so `--candidates 100000` stays fast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker
from sqlalchemy import func, select, text

from agency.extensions import db
from agency.models import (
    Application,
    Audience,
    Candidate,
    CandidateSkill,
    Clinic,
    Credential,
    CredentialType,
    EmploymentType,
    Interview,
    InterviewMode,
    InterviewOutcome,
    InterviewSlot,
    InterviewStatus,
    Opening,
    OpeningCredential,
    OpeningSkill,
    Role,
    ShiftStatus,
    Skill,
    SlotStatus,
    Stage,
    StageChange,
    User,
)
from agency.models.openings import searchable
from agency.models.self_id import CATEGORIES, DECLINED, SelfIdentification
from agency.services import (
    bulk,
    demo_invoices,
    demo_money,
    duplicates,
    geo,
    openings,
    passwords,
    pools,
    saved_searches,
    taxonomy_sync,
)
from agency.timezones import clinic_zone, zone_name_for_place
from matching import week
from matching.taxonomy import Taxonomy, load_taxonomy

SEED = 2026
DEMO_PASSWORD = "clinicmatch-demo-2026"  # noqa: S105 (printed by make run: demo only)
STAFF_EMAIL = "staff@demo.clinicmatch.test"
ADMIN_EMAIL = "admin@demo.clinicmatch.test"
CLINIC_EMAIL = "clinic@demo.clinicmatch.test"
CANDIDATE_EMAIL = "candidate@demo.clinicmatch.test"

# Real ZIP codes in the Boston metro area.
METRO_ZIPS = [
    "02114",
    "02115",
    "02116",
    "02118",
    "02120",
    "02124",
    "02125",
    "02127",
    "02130",
    "02134",
    "02135",
    "02138",
    "02139",
    "02140",
    "02141",
    "02143",
    "02144",
    "02145",
    "02148",
    "02149",
    "02150",
    "02151",
    "02155",
    "02169",
    "02171",
    "02176",
    "02180",
    "02186",
    "02445",
    "02446",
    "02458",
    "02459",
    "02460",
    "02466",
    "02472",
    "02474",
    "02476",
    "02478",
    "01701",
    "01702",
    "01801",
    "01803",
    "01890",
    "02021",
    "02062",
    "02090",
    "02184",
    "02351",
    "01906",
    "01907",
]

CLINIC_KINDS = [
    ("Family Medicine", "Family Health Center"),
    ("Pediatrics", "Pediatric Associates"),
    ("Orthopedics", "Orthopedic & Sports Medicine"),
    ("Cardiology", "Heart & Vascular Clinic"),
    ("Dermatology", "Dermatology Group"),
    ("Obstetrics & Gynecology", "Women's Health"),
    ("Internal Medicine", "Internal Medicine Partners"),
    ("Urgent Care", "Urgent Care"),
    ("Behavioral Health", "Behavioral Health Services"),
    ("Ophthalmology", "Eye Care Associates"),
    ("Gastroenterology", "Digestive Health Center"),
    ("Physical Therapy", "Physical Therapy & Rehab"),
]
TOWNS = [
    "Cambridge",
    "Brookline",
    "Somerville",
    "Newton",
    "Quincy",
    "Medford",
    "Waltham",
    "Framingham",
    "Malden",
    "Watertown",
    "Dorchester",
    "Jamaica Plain",
]
EHRS = ["epic", "athenahealth", "eclinicalworks", "cerner", "nextgen", "meditech", "kareo"]

ROLE_TITLES = {
    "receptionist": [
        "Medical Receptionist",
        "Front Desk Coordinator",
        "Patient Service Representative",
        "Front Office Receptionist",
        "Patient Access Representative",
    ],
    "secretary": [
        "Medical Secretary",
        "Medical Records Specialist",
        "Billing and Coding Specialist",
        "Medical Office Secretary",
        "Medical Transcription Secretary",
    ],
    "hybrid": [
        "Medical Office Assistant",
        "Front and Back Office Assistant",
        "Medical Administrative Assistant",
    ],
}
FRONT_CREDS = ["CMAA", "BLS", "HIPAA", "CHAA"]
BACK_CREDS = ["CPC", "CCS", "RHIT", "CEHRS", "HIPAA", "CPB", "CBCS"]

RESUME_LINES = {
    "customer_service": "Known for warm, patient-facing customer service in a busy practice.",
    "phone_handling": "Answered multi-line phones and routed calls for a team of providers.",
    "appointment_scheduling": "Scheduled and rescheduled appointments for several providers.",
    "patient_check_in": "Checked patients in and out and kept the front desk moving.",
    "waiting_area": "Kept the waiting area calm and orderly and updated patients on wait times.",
    "insurance_verification": "Verified insurance eligibility and benefits before visits.",
    "prior_authorization": "Obtained prior authorizations from payers.",
    "copay_collection": "Collected co-pays and balanced the cash drawer daily.",
    "multitasking": "Thrives in a fast-paced, busy clinic; good at prioritizing.",
    "conflict_resolution": "Calmly handled difficult callers and patient complaints.",
    "medical_documentation": "Prepared clinical documentation and referral letters.",
    "records_management": "Maintained patient records; handled release-of-information requests.",
    "data_entry": "Accurate data entry into the practice-management system.",
    "medical_transcription": "Transcribed physician dictation (audio typing) into the EHR.",
    "typing": "Fast, accurate typist.",
    "medical_terminology": "Strong command of medical terminology.",
    "correspondence": "Drafted correspondence for physicians and managed the inbox.",
    "minute_taking": "Took minutes at clinical team meetings.",
    "medical_billing": "Submitted claims and worked denials in medical billing.",
    "icd10_coding": "Assigned ICD-10-CM diagnosis codes.",
    "cpt_coding": "Assigned CPT procedure codes and modifiers.",
    "hcpcs_coding": "Coded supplies with HCPCS Level II.",
    "hipaa_compliance": "Completed HIPAA training; careful with confidentiality.",
    "detail_orientation": "Detail-oriented and well organized.",
    "ehr_navigation": "Comfortable navigating electronic health records.",
    "microsoft_office": "Proficient in Microsoft Word, Excel and Outlook.",
}


@dataclass
class DemoSummary:
    clinics: int
    openings: int
    candidates: int
    applications: int
    rows: int = 0  # every row inserted, in all tables

    def __str__(self) -> str:
        return (
            f"Demo loaded: {self.clinics} clinics, {self.openings} openings, "
            f"{self.candidates} candidates, {self.applications} applications. "
            f"Logins (password {DEMO_PASSWORD}): {STAFF_EMAIL}, {ADMIN_EMAIL}, "
            f"{CLINIC_EMAIL}, {CANDIDATE_EMAIL}"
        )


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


def _mask(rng: random.Random, weekdays: bool, evenings: bool, weekends: bool) -> int:
    mask = 0
    for day in range(7):
        if day < 5 and not weekdays:
            continue
        if day >= 5 and not (weekends and rng.random() < 0.7):
            continue
        for block in (0, 1, 2):
            if block == 2 and not evenings:
                continue
            if rng.random() < 0.92:
                mask |= 1 << week.bit(day, block)
    return mask


def _now() -> datetime:
    return datetime.now(UTC)


class _Tally:
    rows = 0


_tally = _Tally()


def _bulk(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in order (sequence + COPY on PostgreSQL)."""
    ids = bulk.insert_with_ids(model, rows)
    _tally.rows += len(rows)
    return ids


def _bulk_plain(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose ids nobody needs (COPY on PostgreSQL)."""
    _tally.rows += bulk.insert_rows(model, rows)


def seed(n_candidates: int = 300, n_openings: int = 40, n_clinics: int = 12) -> DemoSummary:
    rows_before = _tally.rows
    rng = random.Random(SEED)
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    taxonomy = load_taxonomy()
    taxonomy_sync.sync()
    skill_ids = {s.code: s.id for s in db.session.execute(select(Skill)).scalars()}
    cred_ids = {c.code: c.id for c in db.session.execute(select(CredentialType)).scalars()}
    today = date.today()
    now = _now()
    pw_hash = passwords.hash_password(DEMO_PASSWORD)

    # Staff accounts.
    staff_ids = _bulk(
        User,
        [
            {
                "email": STAFF_EMAIL,
                "password_hash": pw_hash,
                "role": Role.STAFF,
                "active": True,
                "created_at": now,
                "updated_at": now,
            },
            {
                "email": ADMIN_EMAIL,
                "password_hash": pw_hash,
                "role": Role.ADMIN,
                "active": True,
                "created_at": now,
                "updated_at": now,
            },
        ],
    )
    staff_id = staff_ids[0]

    # Clinics and one member login each (the first is the demo clinic login).
    clinic_rows = []
    zips = rng.sample(METRO_ZIPS, k=min(n_clinics, len(METRO_ZIPS)))
    for i in range(n_clinics):
        specialty, suffix = CLINIC_KINDS[i % len(CLINIC_KINDS)]
        zip_code = zips[i % len(zips)]
        loc = geo.lookup_zip(zip_code)
        assert loc is not None
        town = loc.city.title()
        clinic_rows.append(
            {
                "name": f"{town} {suffix}" if i < len(CLINIC_KINDS) else f"{town} {suffix} {i}",
                "address_line": fake.street_address(),
                "city": town,
                "state": loc.state,
                "zip_code": zip_code,
                # Bulk inserts skip the ORM hook that fills the clinic's time zone.
                "time_zone": zone_name_for_place(zip_code, loc.state) or "",
                "lat": loc.lat,
                "lon": loc.lon,
                "specialty": specialty,
                "ehr_system": rng.choice(EHRS),
                "phone": f"(617) 555-{rng.randint(100, 999):04d}",
                "description": f"A {specialty.lower()} practice in {town}.",
                "approved": i < n_clinics - 1,  # one waits for approval, for the staff to see
                "approved_at": now if i < n_clinics - 1 else None,
                "created_at": now - timedelta(days=rng.randint(30, 400)),
                "updated_at": now,
            }
        )
    clinic_ids = _bulk(Clinic, clinic_rows)
    _bulk(
        User,
        [
            {
                "email": CLINIC_EMAIL if i == 0 else f"office{i}@clinic{i}.demo.clinicmatch.test",
                "password_hash": pw_hash,
                "role": Role.CLINIC,
                "active": True,
                "clinic_id": cid,
                "created_at": now,
                "updated_at": now,
            }
            for i, cid in enumerate(clinic_ids)
        ],
    )

    # Openings across both roles (and some hybrid), mostly open.
    opening_rows: list[dict[str, Any]] = []
    opening_reqs, opening_creds, opening_roles = [], [], []
    approved_clinics = [
        (cid, row) for cid, row in zip(clinic_ids, clinic_rows, strict=True) if row["approved"]
    ]
    for i in range(n_openings):
        role = "receptionist" if i % 20 < 9 else ("secretary" if i % 20 < 17 else "hybrid")
        cid, crow = approved_clinics[i % len(approved_clinics)]
        reqs = taxonomy.default_requirements(role)
        top = sorted(reqs.items(), key=lambda kv: -kv[1][1])[: rng.randint(7, 11)]
        status = "open" if i % 10 not in (7,) else rng.choice(["draft", "filled", "on_hold"])
        if i % 5 == 3:
            status = "filled"  # filled in past months: the placement and time-to-fill charts
        pay_min = rng.choice([17, 18, 19, 20, 21, 22]) + (3 if role == "secretary" else 0)
        start = today + timedelta(days=rng.randint(3, 45))
        evenings = crow["specialty"] == "Urgent Care"
        title = rng.choice(ROLE_TITLES[role])
        description = _opening_text(rng, role, crow, [c for c, _ in top])
        opening_rows.append(
            {
                "clinic_id": cid,
                "title": title,
                "role_type": role,
                "description": description,
                # Bulk inserts skip the ORM hook that keeps this column.
                "search_text": searchable(title, description),
                "employment_type": rng.choice(["temp", "temp_to_hire", "permanent", "per_diem"]),
                "positions": rng.choice([1, 1, 1, 2, 3]),
                "shift_mask": _shift(rng, evenings),
                "start_date": start,
                "end_date": None,
                "pay_min": Decimal(pay_min),
                "pay_max": Decimal(pay_min + rng.randint(3, 7)),
                "min_typing_wpm": 50 if role == "secretary" and "Transcription" in title else None,
                "ehr_systems": [crow["ehr_system"]],
                "languages": ["spanish"] if rng.random() < 0.12 else [],
                "status": status,
                "filled_at": None,
                "created_at": now - timedelta(days=rng.randint(0, 40)),
                "updated_at": now,
                "posted_at": now - timedelta(days=rng.randint(0, 40)),
            }
        )
        opening_reqs.append([(code, lvl, w) for code, (lvl, w) in top])
        creds = []
        if role == "secretary" and "Coding" in title:
            creds.append("CPC")
        if role != "secretary" and rng.random() < 0.2:
            creds.append("BLS")
        opening_creds.append(creds)
        opening_roles.append(role)
    # Filled openings were posted and filled over the past months (its own generator, so the
    # rest of the demo stays as it was).
    history_rng = random.Random(SEED + 1)
    filled = [row for row in opening_rows if row["status"] == "filled"]
    for k, row in enumerate(filled):
        # Alternate recent fills (the weekly placements chart) and older ones (six months).
        filled_ago = history_rng.randint(3, 75) if k % 2 == 0 else history_rng.randint(76, 165)
        filled_at = now - timedelta(days=filled_ago, hours=history_rng.randint(0, 8))
        posted_at = filled_at - timedelta(days=history_rng.randint(6, 40))
        row.update(
            created_at=posted_at,
            posted_at=posted_at,
            filled_at=filled_at,
            start_date=filled_at.date() + timedelta(days=history_rng.randint(3, 14)),
            updated_at=filled_at,
        )
    opening_ids = _bulk(Opening, opening_rows)
    _bulk(
        OpeningSkill,
        [
            {"opening_id": oid, "skill_id": skill_ids[code], "min_level": lvl, "weight": w}
            for oid, reqs in zip(opening_ids, opening_reqs, strict=True)
            for code, lvl, w in reqs
        ],
    )
    _bulk(
        OpeningCredential,
        [
            {"opening_id": oid, "credential_type_id": cred_ids[code]}
            for oid, codes in zip(opening_ids, opening_creds, strict=True)
            for code in codes
        ],
    )

    # Candidates: receptionists, secretaries and some who do both, consistent through and through.
    # Generated and inserted a chunk at a time, so memory stays flat at 100,000 candidates.
    cand_ids: list[int] = []
    context = _CandidateContext(rng, fake, taxonomy, skill_ids, cred_ids, today, now, pw_hash)
    for first in range(0, n_candidates, CANDIDATE_CHUNK):
        stop = min(first + CANDIDATE_CHUNK, n_candidates)
        cand_ids.extend(_insert_candidates(context, range(first, stop), staff_id))
    _bulk_plain(SelfIdentification, _self_identifications(cand_ids))

    # Applications with their history, so the pipeline and dashboards have something to show.
    n_apps = 0
    stages = ["applied", "applied", "shortlisted", "submitted", "interview", "rejected"]
    app_rows: list[dict[str, Any]] = []
    app_history: list[tuple[list[str], datetime, datetime | None]] = []
    open_openings = [
        oid for oid, row in zip(opening_ids, opening_rows, strict=True) if row["status"] == "open"
    ]
    seen: set[tuple[int, int]] = set()
    for cid in cand_ids[:400]:
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            oid = rng.choice(open_openings)
            if (cid, oid) in seen:
                continue
            seen.add((cid, oid))
            stage = rng.choice(stages)
            created = now - timedelta(days=rng.randint(0, 20))
            app_rows.append(
                {
                    "candidate_id": cid,
                    "opening_id": oid,
                    "source": "applied",
                    "stage": stage,
                    "note": "",
                    "stage_reason": "",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            path = ["applied"] + ([] if stage == "applied" else [stage])
            app_history.append((path, created, None))
    # Each filled opening has its placed candidates, with the steps that led there.
    placed_path = ["applied", "shortlisted", "submitted", "interview", "offered", "placed"]
    for oid, row in zip(opening_ids, opening_rows, strict=True):
        if row["status"] != "filled" or len(cand_ids) < 2:
            continue
        # Not the demo candidate (the first), whose own applications stay open.
        chosen = history_rng.sample(cand_ids[1:], k=min(row["positions"], len(cand_ids) - 1))
        for cid in chosen:
            seen.add((cid, oid))
            span = (row["filled_at"] - row["posted_at"]) / len(placed_path)
            created = row["posted_at"] + span * history_rng.uniform(0.2, 0.9)
            app_rows.append(
                {
                    "candidate_id": cid,
                    "opening_id": oid,
                    "source": "applied",
                    "stage": "placed",
                    "note": "",
                    "stage_reason": "",
                    "created_at": created,
                    "updated_at": row["filled_at"],
                }
            )
            app_history.append((placed_path, created, row["filled_at"]))
    app_ids = _bulk(Application, app_rows)
    history_rows = []
    for aid, (path, created, ended) in zip(app_ids, app_history, strict=True):
        previous = None
        # Steps 20 hours apart, or spread evenly up to the day the opening was filled.
        gap = timedelta(hours=20) if ended is None else (ended - created) / (len(path) - 1)
        for step, stage in enumerate(path):
            history_rows.append(
                {
                    "application_id": aid,
                    "actor_id": staff_id if step else None,
                    "from_stage": previous,
                    "to_stage": stage,
                    "reason": "",
                    "created_at": ended
                    if ended and step == len(path) - 1
                    else created + gap * step,
                }
            )
            previous = stage
    _bulk(StageChange, history_rows)
    n_apps = len(app_ids) + _demo_interviews(
        clinic_ids[0], opening_ids, opening_rows, cand_ids, staff_id, seen, now
    )
    db.session.flush()
    demo_shifts(clinic_ids[0], opening_ids, opening_rows, cand_ids, staff_id, now)
    db.session.flush()
    demo_money.seed_money(now, cand_ids[0] if cand_ids else None)
    demo_invoices.seed_invoices(staff_id)
    _twice_registered(cand_ids[-1], now)
    _pool_and_saved_search(staff_id, cand_ids[:60])
    return DemoSummary(
        len(clinic_ids), len(opening_ids), len(cand_ids), n_apps, rows=_tally.rows - rows_before
    )


def _demo_interviews(
    clinic_id: int,
    opening_ids: list[int],
    opening_rows: list[dict[str, Any]],
    cand_ids: list[int],
    staff_id: int,
    seen: set[tuple[int, int]],
    now: datetime,
) -> int:
    """Interviews at the demo clinic: the demo candidate's booked one (the day after tomorrow,
    10:00 at the clinic), times proposed to a second candidate, and a past one with its outcome,
    so the clinic's, the candidate's and the staff's interview pages all have something to show.
    Returns the applications added."""
    ours = [
        oid
        for oid, row in zip(opening_ids, opening_rows, strict=True)
        if row["clinic_id"] == clinic_id and row["status"] == "open"
    ]
    # An opening the demo candidate (the first) has not applied to, and two others who have not.
    oid = next((o for o in ours if (cand_ids[0], o) not in seen), None) if cand_ids else None
    others = [c for c in cand_ids[1:] if (c, oid) not in seen][:2]
    if oid is None or len(others) < 2:
        return 0
    clinic = db.session.get(Clinic, clinic_id)
    zone = clinic_zone(clinic)
    local_day = now.astimezone(zone).date()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(local_day + timedelta(days=days), time(hour), tzinfo=zone)

    added = 0
    plans = [
        (cand_ids[0], InterviewStatus.SCHEDULED, [at(2, 10), at(3, 14)]),
        (others[0], InterviewStatus.PROPOSED, [at(4, 9), at(4, 15), at(5, 11)]),
        (others[1], InterviewStatus.COMPLETED, [at(-3, 11), at(-2, 11)]),
    ]
    for number, (cid, status, starts) in enumerate(plans):
        seen.add((cid, oid))
        created = now - timedelta(days=6)
        application = Application(
            candidate_id=cid,
            opening_id=oid,
            source="applied",
            stage=Stage.INTERVIEW,
            created_at=created,
            updated_at=created,
        )
        steps = [(None, "applied", None), ("applied", "submitted", staff_id)]
        steps.append(("submitted", "interview", staff_id))
        application.history = [
            StageChange(
                from_stage=before,
                to_stage=after,
                actor_id=actor,
                created_at=created + timedelta(hours=20 * i),
            )
            for i, (before, after, actor) in enumerate(steps)
        ]
        booked = status != InterviewStatus.PROPOSED
        interview = Interview(
            application=application,
            proposed_by_id=staff_id,
            mode=InterviewMode.IN_PERSON if number != 1 else InterviewMode.VIDEO,
            video_url="https://meet.example.com/clinicmatch-demo" if number == 1 else "",
            details="Ask for the office manager at the front desk.",
            status=status,
            uid=f"interview-demo-{cid}-{oid}@clinicmatch",
            starts_at=starts[0] if booked else None,
            duration_minutes=30 if booked else None,
            slots=[
                InterviewSlot(
                    starts_at=start,
                    duration_minutes=30,
                    status=(
                        SlotStatus.OPEN
                        if not booked
                        else SlotStatus.BOOKED
                        if i == 0
                        else SlotStatus.RELEASED
                    ),
                )
                for i, start in enumerate(starts)
            ],
        )
        if status == InterviewStatus.COMPLETED:
            interview.outcome = InterviewOutcome.ATTENDED
            interview.feedback = "Calm with patients and quick on the scheduling system."
            interview.feedback_audience = Audience.CLINIC
            interview.outcome_at = starts[0] + timedelta(hours=1)
        db.session.add(application)
        db.session.add(interview)
        added += 1
    db.session.flush()
    return added


CANDIDATE_CHUNK = 5000
# Roughly how often a demo candidate answers a self-identification question (the rest decline
# it, and some never open the page), so the bias audit has every kind of row to show.
SELF_ID_ANSWERED = 0.85
SELF_ID_SKIPPED = 0.2


def _self_identifications(cand_ids: list[int]) -> list[dict[str, Any]]:
    """Voluntary answers for most demo candidates (their own generator: the rest of the demo
    stays as it was). Not the demo login, whose page starts empty to be filled in."""
    rng = random.Random(SEED + 2)
    rows = []
    for cid in cand_ids[1:]:
        if rng.random() < SELF_ID_SKIPPED:
            continue
        row: dict[str, Any] = {"candidate_id": cid, "updated_at": _now()}
        for column, (_question, answers) in CATEGORIES.items():
            answered = rng.random() < SELF_ID_ANSWERED
            row[column] = rng.choice(list(answers)) if answered else DECLINED
        rows.append(row)
    return rows


# Who has a shift record in the demo: the demo candidate and the next few.
SHIFT_WORKERS = 14


def demo_shifts(
    demo_clinic_id: int,
    opening_ids: list[int],
    opening_rows: list[dict[str, Any]],
    cand_ids: list[int],
    staff_id: int,
    now: datetime,
) -> int:
    """Past shifts with attendance (so reliability has records), upcoming booked shifts, open
    gaps (one inside 48 hours) and an offer waiting for the demo candidate. Its own random
    generator: the rest of the demo stays as it was. The count of shifts made."""
    from agency.models import Shift, ShiftBooking, ShiftOffer
    from agency.models.shifts import SHIFT_EMPLOYMENT_TYPES

    rng = random.Random(SEED + 2)
    live = [
        (oid, row)
        for oid, row in zip(opening_ids, opening_rows, strict=True)
        if row["status"] == "open"
    ]
    if not live or not cand_ids:
        return 0
    mine = [(oid, row) for oid, row in live if row["clinic_id"] == demo_clinic_id]
    for oid, row in mine[:1]:  # the demo clinic always has a per-diem opening with shifts
        if row["employment_type"] not in SHIFT_EMPLOYMENT_TYPES:
            db.session.get_one(Opening, oid).employment_type = EmploymentType.PER_DIEM
            row["employment_type"] = "per_diem"
    usable = [(oid, row) for oid, row in live if row["employment_type"] in SHIFT_EMPLOYMENT_TYPES]
    ours = [(oid, row) for oid, row in usable if row["clinic_id"] == demo_clinic_id] or usable
    zones = {
        cid: ZoneInfo(tz or "America/New_York")
        for cid, tz in db.session.execute(select(Clinic.id, Clinic.time_zone)).all()
    }

    def shift_at(pick: tuple[int, dict[str, Any]], days: int, hour: int, hours: int) -> Shift:
        oid, row = pick
        local = datetime.combine(
            (now + timedelta(days=days)).date(), datetime.min.time(), zones[row["clinic_id"]]
        ) + timedelta(hours=hour)
        starts = local.astimezone(UTC)
        shift = Shift(
            opening_id=oid,
            clinic_id=row["clinic_id"],
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            break_minutes=30 if hours > 6 else 0,
            headcount=1,
            notes=rng.choice(NOTES),
            created_by_id=None,
            created_at=starts - timedelta(days=rng.randint(3, 14)),
        )
        db.session.add(shift)
        return shift

    workers = cand_ids[:SHIFT_WORKERS]
    made: list[Shift] = []
    bookings: list[tuple[Shift, int, str | None, bool]] = []
    for n, worker in enumerate(workers):
        # The demo candidate's record is good; the others vary, two of them clearly worse.
        outcomes = ["attended"] * rng.randint(3, 9)
        if n == 0:
            outcomes += ["late"]
        elif n % 5 == 2:
            outcomes += ["no_show", "late"]
        elif n % 5 == 4:
            outcomes += ["late_cancellation"]
        for k, outcome in enumerate(outcomes):
            pick = rng.choice(ours if k % 2 == 0 else usable)
            shift = shift_at(pick, -rng.randint(2, 120), rng.choice((7, 8, 9, 12)), 8)
            made.append(shift)
            if outcome == "late_cancellation":
                bookings.append((shift, worker, None, True))
            else:
                bookings.append((shift, worker, outcome, False))
    # Upcoming booked shifts, the demo candidate's first at the demo clinic.
    for n, worker in enumerate(workers[:6]):
        shift = shift_at(ours[0] if n == 0 else rng.choice(usable), 2 + n, 8, 8)
        made.append(shift)
        bookings.append((shift, worker, None, False))
    # Open gaps: one starts within 48 hours; the demo candidate has an offer on another.
    gaps = [shift_at(rng.choice(ours), days, 9, 6) for days in (1, 3, 4, 6)]
    made.extend(gaps)
    db.session.flush()
    for shift, worker, attendance, late_cancel in bookings:
        # A late cancellation left the shift unfilled (nobody else took it).
        shift.booked_count = 0 if late_cancel else 1
        shift.status = ShiftStatus.OPEN if late_cancel else ShiftStatus.FILLED
        db.session.add(
            ShiftBooking(
                shift_id=shift.id,
                candidate_id=worker,
                status="cancelled" if late_cancel else "booked",
                booked_at=shift.created_at,
                cancelled_at=shift.starts_at - timedelta(hours=6) if late_cancel else None,
                cancelled_by="worker" if late_cancel else None,
                cancel_reason="Childcare fell through" if late_cancel else "",
                late_cancellation=late_cancel,
                attendance=attendance,
                attendance_marked_at=shift.ends_at + timedelta(hours=2) if attendance else None,
                reminded_24h_at=shift.starts_at - timedelta(hours=23)
                if shift.starts_at < now
                else None,
                reminded_2h_at=shift.starts_at - timedelta(hours=2)
                if shift.starts_at < now
                else None,
                attendance_asked_at=shift.ends_at if shift.ends_at < now else None,
            )
        )
    db.session.add(ShiftOffer(shift_id=gaps[1].id, candidate_id=workers[0], offered_by_id=staff_id))
    if len(workers) > 1:
        db.session.add(
            ShiftOffer(shift_id=gaps[1].id, candidate_id=workers[1], offered_by_id=staff_id)
        )
    return len(made)


NOTES = (
    "Report to the front desk at the main entrance; staff parking behind the building.",
    "Use the side door on Elm Street; ask for the office manager.",
    "Street parking only; the front desk lead will show you the phones and the EHR.",
)


def _twice_registered(candidate_id: int, now: datetime) -> None:
    """A person who phoned in after registering online: a second record with their phone and
    ZIP code, flagged for staff (the duplicates page has a pair to show)."""
    first = db.session.get(Candidate, candidate_id)
    if first is None:
        return
    second = Candidate(
        first_name=first.first_name,
        last_name=first.last_name,
        phone=first.phone or "(617) 555-0142",
        zip_code=first.zip_code,
        lat=first.lat,
        lon=first.lon,
        desired_roles=list(first.desired_roles),
        created_at=now,
        updated_at=now,
    )
    first.phone = second.phone
    db.session.add(second)
    db.session.flush()
    duplicates.flag(second)


def _pool_and_saved_search(staff_id: int, some_candidates: list[int]) -> None:
    """A talent pool of front-desk people and a saved search with its daily alert, so the
    staff's pool pages (ranking it against an opening, e-mailing it) and saved-search pages
    have something to show."""
    staff = db.session.get(User, staff_id)
    if staff is None:
        return
    front_desk = [
        cid
        for cid, roles in db.session.execute(
            select(Candidate.id, Candidate.desired_roles)
            .where(Candidate.id.in_(some_candidates))
            .order_by(Candidate.id)
        )
        if "receptionist" in roles
    ][:8]
    pools.add(pools.create("Front-desk temps, Boston", staff), front_desk, staff)
    saved_searches.save(
        staff,
        "Medical secretaries near Cambridge",
        {"role": "secretary", "zip_code": "02139", "radius": "15"},
        alert=True,
    )


@dataclass
class _CandidateContext:
    rng: random.Random
    fake: Faker
    taxonomy: Taxonomy
    skill_ids: dict[str, int]
    cred_ids: dict[str, int]
    today: date
    now: datetime
    pw_hash: str


def _insert_candidates(ctx: _CandidateContext, numbers: range, staff_id: int) -> list[int]:
    """Generate and insert one chunk of candidates with their users, skills and credentials."""
    rng, fake, taxonomy, today, now = ctx.rng, ctx.fake, ctx.taxonomy, ctx.today, ctx.now
    skill_ids, cred_ids, pw_hash = ctx.skill_ids, ctx.cred_ids, ctx.pw_hash
    user_rows, cand_rows, cand_skill_plans, cand_cred_plans = [], [], [], []
    for i in numbers:
        leaning = "receptionist" if i % 5 < 2 else ("secretary" if i % 5 < 4 else "hybrid")
        first, last = fake.first_name(), fake.last_name()
        email = CANDIDATE_EMAIL if i == 0 else f"{first}.{last}.{i}@example.com".lower()
        user_rows.append(
            {
                "email": email,
                "password_hash": pw_hash,
                "role": Role.CANDIDATE,
                "active": True,
                "created_at": now,
                "updated_at": now,
                "notify_new_openings": rng.random() < 0.4,
            }
        )
        profile = taxonomy.role_profile(leaning)
        aptitude = rng.uniform(0.55, 1.0)
        levels = {}
        for code, weight in profile.items():
            raw = 4.6 * weight * aptitude + rng.gauss(0, 0.6)
            level = max(0, min(4, round(raw)))
            if level > 0:
                levels[code] = level
        years = round(rng.uniform(0, 15) * aptitude, 1)
        wpm = int(rng.gauss(70 if leaning == "secretary" else 48, 10))
        loc = geo.lookup_zip(rng.choice(METRO_ZIPS))
        assert loc is not None
        text = _resume_text(rng, leaning, levels, years)
        cand_rows.append(
            {
                "first_name": first,
                "last_name": last,
                "phone": f"(617) 555-{rng.randint(1000, 9999)}",
                "zip_code": loc.zip_code,
                "lat": loc.lat,
                "lon": loc.lon,
                "commute_miles": float(rng.choice([5, 10, 15, 20, 25, 30])),
                "desired_roles": [leaning]
                if leaning != "hybrid"
                else ["receptionist", "secretary"],
                "min_pay": Decimal(rng.choice([16, 17, 18, 19, 20, 21, 22, 24])),
                "availability_mask": _mask(rng, True, rng.random() < 0.3, rng.random() < 0.25),
                "years_experience": years,
                "typing_wpm": max(20, min(120, wpm)),
                "languages": ["english"] + (["spanish"] if rng.random() < 0.2 else []),
                "ehr_systems": rng.sample(EHRS, k=rng.randint(0, 3)),
                "summary": text.split("\n")[0],
                "resume_text": text,
                "status": "active",
                "consent_share_profile": True,
                "consent_terms_at": now,
                "created_at": now - timedelta(days=rng.randint(0, 300)),
                "updated_at": now,
            }
        )
        cand_skill_plans.append(levels)
        pool = FRONT_CREDS if leaning == "receptionist" else BACK_CREDS
        chosen = rng.sample(pool, k=rng.randint(0, 3))
        cand_cred_plans.append(chosen)
    user_ids = _bulk(User, user_rows)
    for row, uid in zip(cand_rows, user_ids, strict=True):
        row["user_id"] = uid
    cand_ids = _bulk(Candidate, cand_rows)
    skill_rows = [
        {"candidate_id": cid, "skill_id": skill_ids[code], "level": lvl, "source": "self"}
        for cid, levels in zip(cand_ids, cand_skill_plans, strict=True)
        for code, lvl in levels.items()
    ]
    _bulk_plain(CandidateSkill, skill_rows)
    cred_rows = []
    for cid, codes in zip(cand_ids, cand_cred_plans, strict=True):
        for code in codes:
            roll = rng.random()
            if roll < 0.1:
                expires = today - timedelta(days=rng.randint(1, 120))  # expired
            elif roll < 0.25:
                expires = today + timedelta(days=rng.randint(1, 30))  # expiring soon
            else:
                expires = today + timedelta(days=rng.randint(60, 900))
            cred_rows.append(
                {
                    "candidate_id": cid,
                    "credential_type_id": cred_ids[code],
                    "issuer": getattr(taxonomy.credential(code), "issuer", ""),
                    "number": f"{code}-{rng.randint(100000, 999999)}",
                    "issued_on": expires - timedelta(days=730),
                    "expires_on": expires,
                    "verification_status": "verified" if rng.random() < 0.8 else "pending",
                    "verified_by_id": staff_id,
                    "verified_at": now,
                    "created_at": now,
                }
            )
    _bulk_plain(Credential, cred_rows)
    return cand_ids


def _shift(rng: random.Random, evenings: bool) -> int:
    days = range(5) if rng.random() < 0.8 else range(6)
    return week.mask_of(days, (0, 1, 2) if evenings else (0, 1))


def _opening_text(rng: random.Random, role: str, clinic: dict[str, Any], codes: list[str]) -> str:
    intro = {
        "receptionist": "We are looking for a friendly medical receptionist for our front desk.",
        "secretary": "We are looking for an organized medical secretary for our back office.",
        "hybrid": "We need a medical office assistant to cover the front desk and back office.",
    }[role]
    duties = " ".join(
        RESUME_LINES[c].replace("Known for", "Bring") for c in codes[:6] if c in RESUME_LINES
    )
    return (
        f"{intro} {clinic['name']} is a {clinic['specialty'].lower()} practice in "
        # The system's name as its owner writes it (athenahealth, NextGen), not .title()'d.
        f"{clinic['city']}. {duties} We use {load_taxonomy().name_of(clinic['ehr_system'])}."
    )


def _resume_text(rng: random.Random, role: str, levels: dict[str, int], years: float) -> str:
    title = {
        "receptionist": "Medical receptionist",
        "secretary": "Medical secretary",
        "hybrid": "Medical office assistant",
    }[role]
    strong = sorted(levels, key=lambda c: -levels[c])[:8]
    lines = [f"{title} with {years:g} years of experience in outpatient clinics."]
    lines += [RESUME_LINES[c] for c in strong if c in RESUME_LINES]
    rng.shuffle(lines[1:])
    return "\n".join(lines)


def queue_rescores() -> int:
    """Stage a rescore job per open opening for the worker (seed-demo --rescore worker)."""
    return openings.request_open_rescores(f"seed-rescore:{int(_now().timestamp())}")


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (and, on PostgreSQL, vacuum).

    Without statistics PostgreSQL guesses that much of a freshly loaded table matches
    `updated_at > t` and reads the whole table where the index would do. Without a vacuum no page
    is marked all-visible, so counts cannot be answered from an index alone (the job board's
    count would read every opening row instead of `ix_openings_board`).
    """
    if db.engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
        return
    db.session.execute(text("ANALYZE"))

"""A believable demo agency around Boston, the same every run (fixed seed; dates follow today).

Rows go in with bulk INSERTs, never a commit per row, so `--candidates 100000` stays fast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker
from sqlalchemy import func, select, text

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    CandidateSkill,
    Clinic,
    Credential,
    CredentialType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    Role,
    Skill,
    StageChange,
    User,
)
from agency.models.openings import searchable
from agency.services import bulk, duplicates, geo, outbox, passwords, taxonomy_sync
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
                mask |= 1 << (day * 3 + block)
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
                "role": Role.STAFF.value,
                "active": True,
                "created_at": now,
                "updated_at": now,
            },
            {
                "email": ADMIN_EMAIL,
                "password_hash": pw_hash,
                "role": Role.ADMIN.value,
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
                "role": Role.CLINIC.value,
                "active": True,
                "clinic_id": cid,
                "created_at": now,
                "updated_at": now,
            }
            for i, cid in enumerate(clinic_ids)
        ],
    )

    # Openings across both roles (and some hybrid), mostly open.
    opening_rows, opening_reqs, opening_creds, opening_roles = [], [], [], []
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
    for start in range(0, n_candidates, CANDIDATE_CHUNK):
        end = min(start + CANDIDATE_CHUNK, n_candidates)
        cand_ids.extend(_insert_candidates(context, range(start, end), staff_id))

    # Applications with their history, so the pipeline and dashboards have something to show.
    n_apps = 0
    stages = ["applied", "applied", "shortlisted", "submitted", "interview", "rejected"]
    app_rows, app_history = [], []
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
    n_apps = len(app_ids)
    db.session.flush()
    _twice_registered(cand_ids[-1], now)
    return DemoSummary(
        len(clinic_ids), len(opening_ids), len(cand_ids), n_apps, rows=_tally.rows - rows_before
    )


CANDIDATE_CHUNK = 5000


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
                "role": Role.CANDIDATE.value,
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
                    "issuer": (
                        taxonomy.credential(code).issuer if taxonomy.credential(code) else ""
                    ),
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
    mask = 0
    days = range(5) if rng.random() < 0.8 else range(6)
    for day in days:
        mask |= 1 << (day * 3)
        mask |= 1 << (day * 3 + 1)
        if evenings:
            mask |= 1 << (day * 3 + 2)
    return mask


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
    stamp = int(_now().timestamp())
    ids = db.session.execute(select(Opening.id).where(Opening.status == "open")).scalars().all()
    for oid in ids:
        outbox.add("rescore_opening", {"opening_id": oid}, dedupe_key=f"seed-rescore:{oid}:{stamp}")
    return len(ids)


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (and, on PostgreSQL, vacuum).

    Without statistics PostgreSQL guesses a third of a 100,000-row table matches `updated_at > t`
    and reads the whole table (46 ms) where the index takes 0.1 ms. Without a vacuum no page is
    marked all-visible, so counts cannot be answered from an index alone: the job board's count
    read every opening row (1.8 ms) instead of `ix_openings_board` (0.5 ms).
    """
    if db.engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
        return
    db.session.execute(text("ANALYZE"))

"""Labelled calibration cases built from the taxonomy: what a score band must mean.

Each case pairs a candidate and an opening with the band a coordinator would put it in
(docs/scores.md): "fit" 90+, "good" 70-89, "stretch" 50-69, "not a fit" under 50. Candidates are
drawn from the role profiles the engine itself derives from O*NET (the levels an opening of that
role asks for by default), so the cases move with the taxonomy rather than with hand-picked skills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine_factories import CLINIC, WEEKDAY_MORNINGS

from matching.features import MAX_LEVEL, CandidateProfile, CredentialHeld, OpeningSpec
from matching.taxonomy import load_taxonomy
from matching.week import FULL_MASK

BANDS = {"fit": (90.0, 100.0), "good": (70.0, 90.0), "stretch": (50.0, 70.0), "not a fit": (0, 50)}
START = date(2026, 12, 7)
NEAR = (CLINIC[0] + 0.01, CLINIC[1])  # about 0.7 miles from the clinic

FRONT_TEXT = (
    "Medical receptionist: front desk, greeting patients, answering phones, scheduling "
    "appointments, insurance verification, collecting co-pays, patient check-in."
)
BACK_TEXT = (
    "Medical secretary and coder: ICD-10 and CPT coding, medical billing, claims, medical "
    "records, transcription, clinic letters, medical terminology, HIPAA."
)
HYBRID_TEXT = FRONT_TEXT + " " + BACK_TEXT


def role_levels(role: str, scale: float = 1.0, floor: int = 0) -> dict[str, int]:
    """The levels an opening of `role` asks for by default, scaled; peripheral skills at floor."""
    reqs = load_taxonomy().default_requirements(role)
    return {
        code: max(min(MAX_LEVEL, round(level * scale)), floor)
        for code, (level, _w) in reqs.items()
        if max(round(level * scale), floor) > 0
    }


def side_levels(side: str, level: int) -> dict[str, int]:
    """Every skill of one side of the divide ("front" or "back", plus the shared ones) at level."""
    tax = load_taxonomy()
    return {s.code: level for s in tax.skills if s.side in (side, "both")}


def opening(role: str, **overrides: object) -> OpeningSpec:
    text = {"receptionist": FRONT_TEXT, "secretary": BACK_TEXT, "hybrid": HYBRID_TEXT}[role]
    base: dict[str, object] = {
        "id": 1,
        "role": role,
        "shift_mask": WEEKDAY_MORNINGS,
        "lat": CLINIC[0],
        "lon": CLINIC[1],
        "pay_min": 19.0,
        "pay_max": 25.0,
        "start_date": START,
        "text": text,
    }
    base.update(overrides)
    return OpeningSpec(**base)  # type: ignore[arg-type]


def coder_opening() -> OpeningSpec:
    """A certified-coder opening: coding and billing required at a high level, CPC required."""
    return opening(
        "secretary",
        required_skills={
            "icd10_coding": (4, 1.0),
            "cpt_coding": (4, 1.0),
            "hcpcs_coding": (3, 0.9),
            "medical_billing": (3, 0.9),
        },
        required_credentials={"CPC"},
        ehr={"epic"},
    )


def person(role: str | None, skills: dict[str, int], **overrides: object) -> CandidateProfile:
    text = {None: "", "receptionist": FRONT_TEXT, "secretary": BACK_TEXT, "hybrid": HYBRID_TEXT}
    base: dict[str, object] = {
        "id": 1,
        "skills": skills,
        "availability": FULL_MASK,
        "lat": NEAR[0],
        "lon": NEAR[1],
        "commute_miles": 20.0,
        "min_pay": 19.0,
        "years_experience": 6.0,
        "typing_wpm": 60,
        "desired_roles": {role} if role else set(),
        "text": text[role],
    }
    base.update(overrides)
    return CandidateProfile(**base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    name: str
    band: str
    candidate: CandidateProfile
    opening: OpeningSpec


def cases() -> list[Case]:
    full = {s.code: MAX_LEVEL for s in load_taxonomy().skills}
    cpc = [CredentialHeld("CPC", True, date(2029, 1, 31))]
    return [
        # Clear fits: every skill at the top, or the role's required levels met and the
        # nice-to-haves at a working level.
        Case("perfect receptionist", "fit", person("receptionist", full, ehr={"epic"}),
             opening("receptionist", ehr={"epic"})),
        Case("perfect coder", "fit",
             person("secretary", full, ehr={"epic"}, typing_wpm=75, years_experience=10.0,
                    credentials=cpc),
             coder_opening()),
        Case("receptionist at the required levels", "fit",
             person("receptionist", role_levels("receptionist", floor=2)), opening("receptionist")),
        Case("secretary at the required levels", "fit",
             person("secretary", role_levels("secretary", floor=2)), opening("secretary")),
        # Good with named gaps: a level short here and there, new to the work, no resume.
        Case("receptionist a level short", "good",
             person("receptionist", role_levels("receptionist", 0.75, floor=1)),
             opening("receptionist")),
        Case("secretary a level short, slow typist", "good",
             person("secretary", role_levels("secretary", 0.75, floor=1), typing_wpm=40),
             opening("secretary")),
        Case("receptionist new to the work, no resume", "good",
             person("receptionist", role_levels("receptionist", floor=1), years_experience=0.5,
                    text=""),
             opening("receptionist")),
        # Stretch: one side of the divide on a hybrid opening, two years in.
        Case("receptionist on a hybrid opening", "stretch",
             person("receptionist", side_levels("front", 3), desired_roles=set(),
                    years_experience=2.0),
             opening("hybrid")),
        Case("secretary on a hybrid opening", "stretch",
             person("secretary", side_levels("back", 3), desired_roles=set(),
                    years_experience=2.0),
             opening("hybrid")),
        # Clear mismatches across the front-desk / back-office divide, and empty profiles.
        Case("receptionist on a certified-coder opening", "not a fit",
             person("receptionist", side_levels("front", 4), typing_wpm=45), coder_opening()),
        Case("secretary at the front desk", "not a fit",
             person("secretary", side_levels("back", 4)), opening("receptionist")),
        Case("receptionist in the back office", "not a fit",
             person("receptionist", side_levels("front", 4)), opening("secretary")),
        Case("empty profile, front desk", "not a fit",
             CandidateProfile(id=1, availability=FULL_MASK), opening("receptionist")),
        Case("empty profile, back office", "not a fit",
             CandidateProfile(id=1, availability=FULL_MASK), opening("secretary")),
    ]  # fmt: skip


BAND_ORDER = ("fit", "good", "stretch", "not a fit")
